"""``POST /v1/verify``, ``POST /v1/verify/batch`` and ``POST /v1/scans``: verdicts and offline reports.

HTTP status of a verdict: 200 whatever the verdict (a refused code is a
successful check), except the two reasons that describe the service rather
than the code, SERVICE_UNAVAILABLE and STATUS_STALE, which are 503 with the
verdict body and ``Retry-After``: a client retries those, and never a 200.
"""

from __future__ import annotations

import os
import time
from typing import Any

import anyio
import anyio.to_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from keys.edge.body import json_object, read_json
from keys.edge.errors import HttpError
from keys.errors import ServiceUnavailable

from ..auth import Caller
from ..disclosure import status_age_text, verdict_text
from ..service import SERVICE_REASONS, Service
from .authn import Authn
from .errors import NO_STORE, RETRY_AFTER_S

MAX_CODE_CHARS = 4096
JSON = "application/json"


def verdict_status(reasons: list[str]) -> tuple[int, dict[str, str]]:
    if any(r in SERVICE_REASONS for r in reasons):
        return 503, {**NO_STORE, "Retry-After": RETRY_AFTER_S}
    return 200, dict(NO_STORE)


def code_text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise HttpError("INVALID_INPUT", f"{where} must be a string")
    return value if len(value) <= MAX_CODE_CHARS else ""  # far too long for a QR code: MALFORMED


def verdict_parts(service: Service, caller: Caller, text: str, started: float) -> tuple[int, dict[str, str], bytes]:
    """The whole answer to one code (status, headers, pre-rendered JSON body), counted and timed.

    Blocks on Redis when the stores are there: callers on the event loop use
    ``verdict_answer``; verifier.http.fast_verify runs it on a worker thread
    together with the caller's rate limit, one hop for both.
    """
    verdict, age = service.verify(text, caller)
    service.metrics.observe("verify", time.perf_counter() - started)
    status, headers = verdict_status([verdict.reason])
    return status, headers, verdict_text(verdict, caller.role, status_age_text(age)).encode()


async def verdict_answer(service: Service, caller: Caller, text: str, started: float) -> tuple[int, dict[str, str], bytes]:
    """``verdict_parts`` from the event loop: on a worker thread when Redis is in the way."""
    if service.uses_redis:
        return await run_in_threadpool(verdict_parts, service, caller, text, started)
    return verdict_parts(service, caller, text, started)


def routes(service: Service, authn: Authn) -> list[Route]:
    config = service.config
    batch_limiter = anyio.CapacityLimiter(os.cpu_count() or 1)

    async def verify(request: Request) -> Response:
        caller = await authn.caller(request)
        started = time.perf_counter()
        body = json_object(await read_json(request, config.max_body_bytes), "code")
        status, headers, answer = await verdict_answer(service, caller, code_text(body["code"], "code"), started)
        return Response(answer, status_code=status, headers=headers, media_type=JSON)

    async def verify_batch(request: Request) -> Response:
        caller = await authn.caller(request, cost=0)
        started = time.perf_counter()
        body = json_object(await read_json(request, config.max_body_bytes), "codes")
        codes = body["codes"]
        if not isinstance(codes, list):
            raise HttpError("INVALID_INPUT", "'codes' must be a list of strings")
        if len(codes) > config.batch_max:
            raise HttpError("BATCH_TOO_LARGE", f"at most {config.batch_max} codes per batch")
        texts = [code_text(c, f"codes[{i}]") for i, c in enumerate(codes)]
        await authn.charge(caller.name, max(1, len(texts)))  # one token per code: a batch is that much work
        if service.uses_redis:
            # At most one batch per core verifies at a time: dozens of batches in
            # Starlette's 40 threads only fought over the GIL with each other and
            # with the event loop, and throughput swung from run to run.
            verdicts, age = await anyio.to_thread.run_sync(service.verify_many, texts, caller, limiter=batch_limiter)
        else:
            # On the memory stores nothing blocks, so the batch runs on the event loop: on a
            # worker thread each signature check gives the GIL away and waits to get it back
            # from a busy loop (up to the 5 ms switch interval), and a batch of 100 took
            # 300-800 ms instead of about 15.
            verdicts, age = service.verify_many(texts, caller)
        service.metrics.observe("batch", time.perf_counter() - started)
        status, headers = verdict_status([v.reason for v in verdicts])
        age_text = status_age_text(age)
        role = caller.role
        results = ",".join([verdict_text(v, role, age_text) for v in verdicts])
        answer = f'{{"count":{len(verdicts)},"results":[{results}],"status_age_s":{age_text}}}'
        return Response(answer.encode(), status_code=status, headers=headers, media_type=JSON)

    async def scans(request: Request) -> Response:
        caller = await authn.caller(request)
        body = json_object(await read_json(request, config.max_body_bytes), "records")
        records = body["records"]
        if not isinstance(records, list):
            raise HttpError("INVALID_INPUT", "'records' must be a list")
        if len(records) > config.scans_max_records:
            raise HttpError("TOO_MANY_RECORDS", f"at most {config.scans_max_records} records per upload")
        try:
            accepted, rejected = await run_in_threadpool(service.record_scans, records, caller)
        except (OSError, ServiceUnavailable):
            raise HttpError("SERVICE_UNAVAILABLE", "the audit log cannot be written",
                            headers={"Retry-After": RETRY_AFTER_S}) from None
        return JSONResponse({"accepted": accepted, "rejected": rejected}, headers=NO_STORE)

    return [
        Route("/v1/verify", verify, methods=["POST"]),
        Route("/v1/verify/batch", verify_batch, methods=["POST"]),
        Route("/v1/scans", scans, methods=["POST"]),
    ]
