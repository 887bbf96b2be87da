"""``POST /v1/officers/assertion``: an officer's sign-in for the handheld scanner.

The verifier (which serves the scanner and must not import issuer/) forwards the
officer's name, password and one-time code here; a good sign-in by an officer
whose role may scan is answered with a signed, minute-long officer assertion
(keys.officer_assertion) that the verifier checks with the public key set. The
sign-in is audited as ``officer.scanner_signin``. Refusals are the usual JSON
errors: SIGN_IN_FAILED (401), FORBIDDEN (403) for a role that may not scan.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from issuer.errors import ForbiddenError
from issuer.http_errors import ok, read_json, text_field
from issuer.lifecycle import Lifecycle
from issuer.officers.roles import Act
from issuer.officers.store import OfficerStore
from issuer.registry import Registry
from issuer.state import ServiceState
from keys.officer_assertion import OfficerAssertion, sign_assertion
from keys.officer_list import sign_officer_list

__all__ = ["ASSERTION_LIFETIME_S", "OFFICER_LIST_TTL_S", "routes"]

ASSERTION_LIFETIME_S = 60
#: how often the list of disabled accounts is signed again when nothing changed
OFFICER_LIST_TTL_S = 60


def routes(state: ServiceState) -> list[BaseRoute]:
    async def assertion(request: Request) -> Response:
        data = await read_json(request)
        username = text_field(data, "username", limit=64) or ""
        password = text_field(data, "password", limit=256) or ""
        otp = text_field(data, "otp", limit=16) or ""
        now = state.now()
        now_dt = state.now_dt(now)

        def run(reg: Registry, lc: Lifecycle) -> OfficerAssertion:
            officer = OfficerStore(reg).authenticate(username, password, otp, now=now_dt)
            if not officer.may(Act.SCAN):
                raise ForbiddenError(f"“{officer.role.name_zh}”不使用核验终端",
                                     f"a {officer.role.value} does not use the scanner")
            with reg.transaction():
                reg.record_audit(actor=officer.actor, operation="officer.scanner_signin", cred_id=None,
                                 now=now_dt, details={})
            return OfficerAssertion(officer.username, officer.display_name, officer.role.value, officer.station,
                                    officer.district_code, int(now), int(now) + ASSERTION_LIFETIME_S)

        claims = await state.worker.call(run)
        return ok({"assertion": sign_assertion(state.keys.signer, claims), "expires_in": ASSERTION_LIFETIME_S})

    cached: dict[str, tuple[int, float, str]] = {}

    async def disabled(request: Request) -> Response:
        """The signed list of disabled accounts (keys.officer_list), rebuilt when the registry changed."""
        now = state.now()

        def run(reg: Registry, lc: Lifecycle) -> str:
            marker = reg.change_marker()
            held = cached.get("list")
            if held is not None and held[0] == marker and now - held[1] < OFFICER_LIST_TTL_S:
                return held[2]
            text = sign_officer_list(state.keys.signer, OfficerStore(reg).disabled_actors(), issued_at=int(now),
                                     ttl=OFFICER_LIST_TTL_S)
            cached["list"] = (marker, now, text)
            return text

        text = await state.worker.call(run)
        return JSONResponse({"document": text}, headers={"Cache-Control": "no-cache"})

    return [Route("/v1/officers/assertion", assertion, methods=["POST"]),
            Route("/v1/officers/disabled", disabled, methods=["GET"])]
