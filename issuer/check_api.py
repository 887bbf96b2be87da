"""Who checked my permit, over HTTP: verifiers push records, the holder's phone reads them.

* ``POST /v1/check-records`` (a verifier's bearer token, issuer.check_keys):
  ``{"records": [...]}`` as ``verifier.check_records`` makes them, at most
  ``MAX_RECORDS`` per request. Answers ``{"accepted", "duplicates", "expired",
  "rejected": [{"index", "error"}]}``; a bad record is refused alone, so the
  verifier can drop the batch once answered 200 (nothing in it would be
  accepted by sending it again).
* ``GET /v1/holder/checks`` (the device token): the permit's checks, newest
  first, within the retention: time, organisation, role, mode, verdict and the
  names of the fields disclosed.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from issuer.lifecycle import Lifecycle
from issuer.registry import Registry
from keys.edge.body import json_object, read_json
from keys.edge.errors import HttpError

from .auth import bearer_token, unauthorized
from .check_keys import open_check_keys
from .check_records import RETENTION, CheckRecord, RecordRefused, holder_checks, parse_record, purge, store
from .holder_api import enrolled_holder
from .http_errors import ok
from .state import ServiceState

MAX_RECORDS = 1000
MAX_BODY_BYTES = 2 * 1024 * 1024


def routes(state: ServiceState) -> list[Route]:
    worker = state.worker
    keys = open_check_keys(state.config)

    async def receive(request: Request) -> Response:
        token = bearer_token(request)
        verifier = keys.verifier_for(token) if token is not None else None
        if verifier is None or keys.private_key is None:
            raise unauthorized("需要有效的核验服务令牌", "a valid verifier token is required")
        private_key = keys.private_key
        body = json_object(await read_json(request, MAX_BODY_BYTES), "records")
        raw = body["records"]
        if not isinstance(raw, list):
            raise HttpError("INVALID_INPUT", zh="records 须为列表", en="'records' must be a list")
        if len(raw) > MAX_RECORDS:
            raise HttpError("INVALID_INPUT", zh=f"每次最多 {MAX_RECORDS} 条记录",
                            en=f"at most {MAX_RECORDS} records per request")
        now_dt = state.now_dt()

        def parse() -> tuple[list[CheckRecord], list[dict[str, Any]]]:
            good: list[CheckRecord] = []
            bad: list[dict[str, Any]] = []
            for i, item in enumerate(raw):
                try:
                    good.append(parse_record(item, private_key, now_dt))
                except RecordRefused as exc:
                    bad.append({"index": i, "error": str(exc)})
            return good, bad

        records, rejected = await run_in_threadpool(parse)  # one X25519 per record: off the event loop

        def keep(reg: Registry, lc: Lifecycle) -> tuple[int, int]:
            with reg.transaction() as db:
                purge(db, now_dt)
                return store(db, records, verifier, now_dt)

        stored, expired = await worker.call(keep)
        return ok({"accepted": stored, "duplicates": len(records) - expired - stored, "expired": expired,
                   "rejected": rejected})

    async def holder(request: Request) -> Response:
        find = enrolled_holder(request, state)
        now_dt = state.now_dt()

        def run(reg: Registry, lc: Lifecycle) -> list[dict[str, Any]]:
            _, cred = find(reg, lc)
            return [r.to_json() for r in holder_checks(reg.connection, cred.cred_id, now_dt)]

        return ok({"checks": await worker.call(run), "retention_days": RETENTION.days})

    return [
        Route("/v1/check-records", receive, methods=["POST"]),
        Route("/v1/holder/checks", holder, methods=["GET"]),
    ]
