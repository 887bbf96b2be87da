"""``Authorization: Bearer <token>``: the one parser both services use.

A request carrying two Authorization headers is refused (``DUPLICATE_AUTHORIZATION``)
rather than letting whichever comes first win: a proxy and a client disagreeing
on who is calling is not something to settle silently. A header that is present
but is not a well-formed bearer token is ``UNAUTHORIZED`` with the service's
challenge; no header at all is ``None``, so a service can fall back on a cookie.
"""

from __future__ import annotations

import re

from starlette.requests import HTTPConnection

from .errors import HttpError

TOKEN = re.compile(r"[\x21-\x7e]{1,512}")


def challenge(realm: str) -> dict[str, str]:
    return {"WWW-Authenticate": f'Bearer realm="{realm}"'}


def unauthorized(realm: str, *, zh: str | None = None, en: str | None = None) -> HttpError:
    """401 with the service's challenge (and, optionally, a message saying more)."""
    return HttpError("UNAUTHORIZED", zh=zh, en=en, headers=challenge(realm))


def bearer_token(connection: HTTPConnection, realm: str) -> str | None:
    """The token, or None without an Authorization header; HttpError for two headers or a malformed one."""
    values = connection.headers.getlist("authorization")
    if not values:
        return None
    if len(values) > 1:
        raise HttpError("DUPLICATE_AUTHORIZATION", headers=challenge(realm))
    scheme, _, token = values[0].strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not TOKEN.fullmatch(token):
        raise unauthorized(realm)
    return token
