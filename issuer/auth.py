"""Bearer tokens: the admin token for clerks' tools, device tokens for holders' phones.

The service keeps only the SHA-256 of the admin token and compares digests in
constant time, so neither a memory dump nor response timing gives the token away.
Device tokens are looked up by hash in the registry (issuer.devices). The
``Authorization`` header itself is parsed by ``keys.edge.bearer``, as the
verifier's is.
"""

from __future__ import annotations

import hmac
import re

from starlette.requests import Request

from keys.edge.bearer import bearer_token as _bearer_token
from keys.edge.bearer import unauthorized as _unauthorized
from keys.edge.errors import HttpError

from .devkeys import token_digest

REALM = "issuer"
_ACTOR = re.compile(r"[\w.@:\-]{1,64}")


def bearer_token(request: Request) -> str | None:
    """The token of the ``Authorization: Bearer <token>`` header; None without one (HttpError if malformed)."""
    return _bearer_token(request, REALM)


def unauthorized(zh: str = "需要有效的访问令牌", en: str = "a valid bearer token is required") -> HttpError:
    return _unauthorized(REALM, zh=zh, en=en)


class AdminAuth:
    """Checks the admin bearer token against the stored digest."""

    def __init__(self, digest: bytes) -> None:
        self._digest = digest

    def __repr__(self) -> str:
        return "AdminAuth()"

    def require(self, request: Request) -> str:
        """The acting clerk for the audit log; 401 without the right token.

        The clerk is named by an optional ``X-Actor`` header (letters, digits and
        ``._-@:``), recorded as ``admin:<name>``; without it, ``admin``.
        """
        token = bearer_token(request)
        if token is None or not hmac.compare_digest(token_digest(token), self._digest):
            raise unauthorized()
        actor = request.headers.get("x-actor", "").strip()
        if not actor:
            return "admin"
        if not _ACTOR.fullmatch(actor):
            raise HttpError("INVALID_INPUT", zh="X-Actor 格式无效", en="invalid X-Actor header")
        return f"admin:{actor}"
