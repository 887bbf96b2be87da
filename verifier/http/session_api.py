"""``/v1/session``: a handheld or the business page signs in once and then holds only a cookie.

Two ways in: an API key, or an officer account the issuer vouches for
(``verifier.officer_signin``: name, password and one-time code, checked by the
issuer, whose signed statement this service verifies). A key opens a session
only for the page of its role (``"role"``: the officials' scanner by default,
or the business page), so a business key never gets the scanner, which checks
codes offline with every claim in view. See ``verifier.sessions``
for what the server keeps (a name, never a key or a password; hashes of session
ids).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from keys.edge.body import json_object, read_json
from keys.edge.errors import HttpError

from ..auth import OFFICIAL, ROLES
from ..disclosure import iso_utc
from ..officer_signin import OFFICER_PREFIX, OfficerSignInFailed, officer_sign_in
from ..service import Service
from ..sessions import COOKIE_NAME, CSRF_HEADER, CSRF_VALUE, Session, new_session_id
from .authn import MAX_SESSION_ID, Authn, blocking, unauthorized
from .errors import NO_STORE

SESSION_BODY_LIMIT = 4096


def _session_body(session: Session) -> dict[str, Any]:
    return {"name": session.name, "role": session.role, "expires_at": iso_utc(session.expires_at),
            "display_name": session.display_name or session.name}


def routes(service: Service, authn: Authn) -> list[Route]:
    config = service.config

    async def officer_session(body: dict[str, Any]) -> Session | Response:
        """A session for an officer account the issuer vouches for (verifier.officer_signin)."""
        fields = [body.get(name) for name in ("officer", "password", "otp")]
        if not all(isinstance(v, str) and 0 < len(v) <= 256 for v in fields):
            raise HttpError("INVALID_INPUT", "'officer', 'password' and 'otp' must be strings")
        username, password, otp = (str(v) for v in fields)
        await authn.charge(OFFICER_PREFIX + username.strip().lower()[:64])
        now = service.clock()
        try:
            officer = await officer_sign_in(service.http, config.issuer_url, service.sync.keyset, now,
                                            username=username, password=password, otp=otp)
        except OfficerSignInFailed as exc:
            service.metrics.event("unauthorized")
            refusal = HttpError(exc.code)
            if exc.issuer_message is not None:  # the issuer's own words, as it said them
                return JSONResponse({"error": exc.code, "message": exc.issuer_message},
                                    status_code=refusal.status, headers=NO_STORE)
            return refusal.response()
        return Session(OFFICER_PREFIX + officer.username, OFFICIAL, now + config.session_ttl_s,
                       officer.display_name)

    async def key_session(plain: str, page: Any) -> Session:
        """A session for a key of the role the signing-in page is for: the officials' scanner
        (the default) or the business page, so each page only ever shows what its role gets."""
        if page not in ROLES:
            raise HttpError("INVALID_INPUT", "'role' must be 'official' or 'business'")
        key = service.keys.lookup(plain.strip())
        if key is None:
            service.metrics.event("unauthorized")
            raise unauthorized()
        if key.role != page:
            raise HttpError("SCANNER_NEEDS_OFFICER" if page == OFFICIAL else "BUSINESS_KEY_REQUIRED")
        await authn.charge(key.name)
        org = service.organisation_of(key.name, key.role)
        shown = key.name if org.id == key.name else f"{org.name_zh} / {org.name_en} · {key.name}"
        return Session(key.name, key.role, service.clock() + config.session_ttl_s, shown)

    async def create(request: Request) -> Response:
        body = json_object(await read_json(request, SESSION_BODY_LIMIT))
        plain = body.get("api_key")
        if "officer" in body:
            made = await officer_session(body)
            if isinstance(made, Response):
                return made
            session = made
        elif isinstance(plain, str):
            session = await key_session(plain, body.get("role", OFFICIAL))
        else:
            raise HttpError("INVALID_INPUT", "send 'api_key', or 'officer', 'password' and 'otp'")
        now = service.clock()
        session_id = new_session_id()
        await blocking(service, service.sessions.put, session_id, session, now)
        response = JSONResponse(_session_body(session), headers=NO_STORE)
        response.set_cookie(
            COOKIE_NAME, session_id, max_age=config.session_ttl_s, path="/",
            httponly=True, samesite="strict", secure=config.cookie_secure,
        )
        return response

    async def show(request: Request) -> Response:
        session_id = request.cookies.get(COOKIE_NAME)
        session = await authn.session(session_id) if session_id else None
        if session is None:
            raise unauthorized()
        return JSONResponse(_session_body(session), headers=NO_STORE)

    async def delete(request: Request) -> Response:
        session_id = request.cookies.get(COOKIE_NAME)
        if session_id:
            if request.headers.get(CSRF_HEADER) != CSRF_VALUE:
                raise HttpError("CSRF_HEADER_MISSING")
            if len(session_id) <= MAX_SESSION_ID:
                await blocking(service, service.sessions.delete, session_id)
        response = JSONResponse({"signed_out": True}, headers=NO_STORE)
        response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict", secure=config.cookie_secure)
        return response

    return [
        Route("/v1/session", create, methods=["POST"]),
        Route("/v1/session", show, methods=["GET"]),
        Route("/v1/session", delete, methods=["DELETE"]),
    ]
