"""Who is calling: an API key (``Authorization: Bearer``), else a handheld's session cookie.

Cookie requests that change anything must carry ``X-Requested-With: scanner``
(a header a cross-site form cannot send). Every authenticated request then
takes a token from its caller's rate-limit bucket.
"""

from __future__ import annotations

from typing import Any, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from keys.edge.bearer import bearer_token
from keys.edge.bearer import unauthorized as _unauthorized
from keys.edge.errors import HttpError

from ..auth import Caller
from ..officer_signin import OFFICER_PREFIX
from ..ratelimit import retry_after_header
from ..service import Service
from ..sessions import COOKIE_NAME, CSRF_HEADER, CSRF_VALUE, Session

REALM = "verifier"
MAX_SESSION_ID = 128


def unauthorized() -> HttpError:
    return _unauthorized(REALM)


async def blocking(service: Service, fn: Callable[..., Any], *args: Any) -> Any:
    """Redis calls block: run them on a worker thread; memory stores answer inline."""
    if service.uses_redis:
        return await run_in_threadpool(fn, *args)
    return fn(*args)


class Authn:
    """Identifies callers and charges their rate limit; refusals are raised as ``HttpError``."""

    def __init__(self, service: Service) -> None:
        self.service = service

    async def caller(self, request: Request, *, unsafe: bool = True, cost: int = 1) -> Caller:
        """The authenticated caller, its request's ``cost`` in tokens taken (0: taken later, when
        the work is known); 401/403/429 otherwise."""
        caller = await self.identify(request, unsafe=unsafe)
        if cost:
            await self.charge(caller.name, cost)
        return caller

    async def charge(self, name: str, cost: int = 1) -> None:
        """Take ``cost`` tokens from ``name``'s bucket (shared through Redis when it is there); 429 if empty."""
        service = self.service
        wait = await blocking(service, service.limiter.take, name, cost)
        if wait > 0:
            service.metrics.event("rate_limited")
            raise HttpError("RATE_LIMITED", headers={"Retry-After": retry_after_header(wait)})

    async def identify(self, request: Request, *, unsafe: bool) -> Caller:
        service = self.service
        try:
            token = bearer_token(request, REALM)
        except HttpError:
            service.metrics.event("unauthorized")
            raise
        if token is not None:
            key = service.keys.lookup(token)
            if key is None:
                service.metrics.event("unauthorized")
                raise unauthorized()
            return Caller(key.name, key.role, "key")
        session_id = request.cookies.get(COOKIE_NAME)
        if not session_id:
            service.metrics.event("unauthorized")
            raise unauthorized()
        if unsafe and request.headers.get(CSRF_HEADER) != CSRF_VALUE:
            service.metrics.event("csrf_refused")
            raise HttpError("CSRF_HEADER_MISSING")
        session = await self.session(session_id)
        if session is None:
            service.metrics.event("unauthorized")
            raise unauthorized()
        return Caller(session.name, session.role, "session")

    async def session(self, session_id: str) -> Session | None:
        """The live session of a key still configured in the session's role, or None."""
        service = self.service
        if len(session_id) > MAX_SESSION_ID:
            return None
        session = await blocking(service, service.sessions.get, session_id, service.clock())
        if session is None:
            return None
        if session.name.startswith(OFFICER_PREFIX):
            officers = service.sync.officers
            if officers is not None and officers.disabled(session.name):
                # the issuer has disabled the account since it signed in (verifier.officer_list)
                await blocking(service, service.sessions.delete, session_id)
                return None
            return session  # vouched for by the issuer at sign-in (verifier.officer_signin)
        key = service.keys.by_name(session.name)
        if key is None or key.role != session.role:
            return None
        return session
