"""Bearer tokens: the admin API's (the deployment's token, officers' own), device tokens for holders' phones.

The service keeps only the SHA-256 of the admin token and compares digests in
constant time, so neither a memory dump nor response timing gives the token away.
Device tokens are looked up by hash in the registry (issuer.devices). The
``Authorization`` header itself is parsed by ``keys.edge.bearer``, as the
verifier's is.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Awaitable, Callable

from starlette.requests import Request

from keys.edge.bearer import bearer_token as _bearer_token
from keys.edge.bearer import unauthorized as _unauthorized
from keys.edge.errors import HttpError

from .devkeys import token_digest
from .errors import ForbiddenError
from .officers.roles import Act

if TYPE_CHECKING:
    from .officers.model import Officer

REALM = "issuer"
#: how the deployment's own admin token is named in the audit log
ADMIN_ACTOR = "admin"
OfficerLookup = Callable[[str], Awaitable["Officer | None"]]


def bearer_token(request: Request) -> str | None:
    """The token of the ``Authorization: Bearer <token>`` header; None without one (HttpError if malformed)."""
    return _bearer_token(request, REALM)


def unauthorized(zh: str = "需要有效的访问令牌", en: str = "a valid bearer token is required") -> HttpError:
    return _unauthorized(REALM, zh=zh, en=en)


class AdminAuth:
    """Who is calling the /admin JSON API, and whether they may do the act asked.

    Two kinds of bearer token are accepted. An officer's personal token
    (``issuer.officers.api_tokens``) acts as that officer: recorded as
    ``officer:<username>`` and allowed only the acts of the officer's role, as in
    the console. The deployment's admin token (``ISSUER_ADMIN_TOKEN``) is the
    service's own key for provisioning and automation: recorded as ``admin``.
    A free-text ``X-Actor`` header is refused rather than recorded: a name the
    caller merely claims is not an attribution.
    """

    def __init__(self, digest: bytes, officer_for: OfficerLookup | None = None) -> None:
        self._digest = digest
        self._officer_for = officer_for

    def __repr__(self) -> str:
        return "AdminAuth()"

    async def require(self, request: Request, act: Act) -> str:
        """The audit name of the caller allowed ``act``; 401 without a valid token, 403 if not allowed."""
        if "x-actor" in request.headers:
            raise HttpError("INVALID_INPUT", zh="不接受 X-Actor 请求头：请使用本人的访问令牌",
                            en="the X-Actor header is not accepted: use the officer's own token")
        token = bearer_token(request)
        if token is None:
            raise unauthorized()
        if hmac.compare_digest(token_digest(token), self._digest):
            return ADMIN_ACTOR
        officer = None if self._officer_for is None else await self._officer_for(token)
        if officer is None:
            raise unauthorized()
        if not officer.may(act):
            raise ForbiddenError(f"“{officer.role.name_zh}”无权执行此操作",
                                 f"role {officer.role.value} may not do this ({act.value})")
        return officer.actor
