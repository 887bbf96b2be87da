"""Bearer tokens: the admin token for clerks' tools, device tokens for holders' phones.

The service keeps only the SHA-256 of the admin token and compares digests in
constant time, so neither a memory dump nor response timing gives the token away.
Device tokens are looked up by hash in the registry (issuer.devices).
"""

from __future__ import annotations

import hmac
import re

from starlette.requests import Request

from .devkeys import token_digest
from .http_errors import ApiError

_TOKEN = re.compile(r"[\x21-\x7e]{1,512}")
_ACTOR = re.compile(r"[\w.@:\-]{1,64}")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="issuer"'}


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN.fullmatch(token):
        return None
    return token


def unauthorized(zh: str = "需要有效的访问令牌", en: str = "a valid bearer token is required") -> ApiError:
    return ApiError(401, "UNAUTHORIZED", zh, en, CHALLENGE)


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
            raise ApiError(400, "INVALID_INPUT", "X-Actor 格式无效", "invalid X-Actor header")
        return f"admin:{actor}"
