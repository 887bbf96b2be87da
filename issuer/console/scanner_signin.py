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
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from issuer.errors import ForbiddenError
from issuer.http_errors import ok, read_json, text_field
from issuer.lifecycle import Lifecycle
from issuer.officers.roles import Act
from issuer.officers.store import OfficerStore
from issuer.registry import Registry
from issuer.state import ServiceState
from keys.officer_assertion import OfficerAssertion, sign_assertion

__all__ = ["ASSERTION_LIFETIME_S", "routes"]

ASSERTION_LIFETIME_S = 60


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

    return [Route("/v1/officers/assertion", assertion, methods=["POST"])]
