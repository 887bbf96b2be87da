"""The verifier HTTP service (Starlette): verdicts for scanned codes, by role.

``create_app(config=None, *, clock=time.time, http_client=None)`` builds the
app; without a config it reads the environment (after creating the dev files of
the embedded default). Tests inject a clock and an ``httpx.AsyncClient`` whose
transport reaches a fake issuer.

Endpoints (full reference in docs/api.md, machine-readable at /openapi.json)::

    POST   /v1/verify          one code            (API key or session cookie)
    POST   /v1/verify/batch    up to VERIFIER_BATCH_MAX codes
    POST   /v1/scans           offline scan reports from handhelds
    POST   /v1/session         sign a handheld in with an official key -> cookie
    GET    /v1/session         who am I
    DELETE /v1/session         sign out
    GET    /v1/keyset          cached issuer key set (public, ETag)
    GET    /v1/status-list     cached signed status list (public, ETag)
    GET    /v1/time            server time for the handhelds' clock check
    GET    /healthz            readiness (503 when verdicts cannot be given)
    GET    /metrics            Prometheus text
    GET    /openapi.json       this API described

HTTP status of a verdict: 200 whatever the verdict (a refused code is a
successful check), except the two reasons that describe the service rather
than the code, SERVICE_UNAVAILABLE and STATUS_STALE, which are 503 with the
verdict body and ``Retry-After``: a client retries those, and never a 200.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from email.utils import formatdate
from typing import Any, AsyncIterator, Callable

import anyio
import anyio.to_thread
import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keys.errors import ServiceUnavailable

from . import devsetup
from .auth import OFFICIAL, Caller
from .config import Config, describe
from .disclosure import iso_utc, status_age_text, verdict_text
from .metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .officer_signin import OFFICER_PREFIX, OfficerSignInFailed, officer_sign_in
from .openapi import openapi_document
from .ratelimit import retry_after_header
from .responses import NO_STORE, BodyError, error, json_object, read_json
from .service import SERVICE_REASONS, Service
from .sessions import COOKIE_NAME, CSRF_HEADER, CSRF_VALUE, Session, new_session_id
from .sync import CachedDocument

log = logging.getLogger("verifier")

MAX_CODE_CHARS = 4096
SESSION_BODY_LIMIT = 4096
RETRY_AFTER_S = "2"
JSON = "application/json"


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load_config(env: Any = None, *, announce: Callable[[str], None] = _to_stderr) -> Config:
    """The embedded default's dev files (announcing new dev keys once), then the checked configuration."""
    for line in devsetup.prepare(env):
        announce(line)
    return Config.from_env(env)


class _Authn:
    """Who is calling: Bearer key first, else the session cookie (with the CSRF header)."""

    def __init__(self, service: Service) -> None:
        self.service = service

    async def caller(self, request: Request, *, unsafe: bool) -> Caller | Response:
        service = self.service
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            key = service.keys.lookup(token.strip()) if scheme.lower() == "bearer" else None
            if key is None:
                service.metrics.event("unauthorized")
                return _unauthorized()
            return Caller(key.name, key.role, "key")
        session_id = request.cookies.get(COOKIE_NAME)
        if not session_id:
            service.metrics.event("unauthorized")
            return _unauthorized()
        if unsafe and request.headers.get(CSRF_HEADER) != CSRF_VALUE:
            service.metrics.event("csrf_refused")
            return error("CSRF_HEADER_MISSING")
        session = await self.session(session_id)
        if session is None:
            service.metrics.event("unauthorized")
            return _unauthorized()
        return Caller(session.name, session.role, "session")

    async def session(self, session_id: str) -> Session | None:
        service = self.service
        if len(session_id) > 128:
            return None
        now = service.clock()
        session = await _blocking(service, service.sessions.get, session_id, now)
        if session is None:
            return None
        if session.name.startswith(OFFICER_PREFIX):
            return session  # vouched for by the issuer at sign-in (verifier.officer_signin)
        key = service.keys.by_name(session.name)
        if key is None or key.role != OFFICIAL:
            return None
        return session


def _unauthorized() -> JSONResponse:
    return error("UNAUTHORIZED", headers={"WWW-Authenticate": 'Bearer realm="verifier"'})


async def _blocking(service: Service, fn: Callable[..., Any], *args: Any) -> Any:
    """Redis calls block: run them on a worker thread; memory stores answer inline."""
    if service.uses_redis:
        return await run_in_threadpool(fn, *args)
    return fn(*args)


def _verdict_status(reasons: list[str]) -> tuple[int, dict[str, str]]:
    if any(r in SERVICE_REASONS for r in reasons):
        return 503, {**NO_STORE, "Retry-After": RETRY_AFTER_S}
    return 200, NO_STORE


def _code_text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise BodyError("BAD_REQUEST", f"{where} must be a string")
    return value if len(value) <= MAX_CODE_CHARS else ""  # far too long for a QR code: MALFORMED


def _document_response(request: Request, doc: CachedDocument | None) -> Response:
    if doc is None:
        return error("NOT_READY", headers={"Retry-After": RETRY_AFTER_S})
    headers = {"ETag": doc.etag, "Cache-Control": "no-cache", "Last-Modified": _http_date(doc.fetched_at)}
    match = request.headers.get("if-none-match", "")
    if doc.etag in [tag.strip().removeprefix("W/") for tag in match.split(",")] or match.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(doc.raw, media_type="application/json", headers=headers)


def _http_date(ts: float) -> str:
    return formatdate(ts, usegmt=True)


class _ResponseCounter:
    """Counts responses by status for /metrics; turns a crash into a JSON 500, never a traceback."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def counting_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                self.service.metrics.response(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await error("INTERNAL")(scope, receive, counting_send)


def create_app(
    config: Config | None = None,
    *,
    clock: Callable[[], float] = time.time,
    http_client: httpx.AsyncClient | None = None,
    background_sync: bool = True,
) -> Starlette:
    """The verifier app. ``background_sync=False`` leaves refreshing to explicit ``service.sync.tick()``."""
    if config is None:
        config = load_config()
    service = Service(config, clock=clock, http_client=http_client)
    authn = _Authn(service)
    batch_limiter = anyio.CapacityLimiter(os.cpu_count() or 1)

    async def authorized(request: Request, *, unsafe: bool = True, cost: int = 1) -> Caller | Response:
        """The caller, its request's ``cost`` in tokens taken (0: taken later, when the work is known)."""
        caller = await authn.caller(request, unsafe=unsafe)
        if isinstance(caller, Response):
            return caller
        return await limited(caller, cost) if cost else caller

    async def limited(caller: Caller, cost: int) -> Caller | Response:
        wait = await _blocking(service, service.limiter.take, caller.name, cost)
        if wait > 0:
            service.metrics.event("rate_limited")
            return error("RATE_LIMITED", headers={"Retry-After": retry_after_header(wait)})
        return caller

    # -- verification -----------------------------------------------------------
    async def verify(request: Request) -> Response:
        caller = await authorized(request)
        if isinstance(caller, Response):
            return caller
        started = time.perf_counter()
        try:
            body = json_object(await read_json(request, config.max_body_bytes), "code")
            text = _code_text(body["code"], "code")
        except BodyError as exc:
            return exc.response()
        if service.uses_redis:
            verdict, age = await run_in_threadpool(service.verify, text, caller)
        else:
            verdict, age = service.verify(text, caller)
        service.metrics.observe("verify", time.perf_counter() - started)
        status, headers = _verdict_status([verdict.reason])
        text = verdict_text(verdict, caller.role, status_age_text(age))
        return Response(text.encode(), status_code=status, headers=headers, media_type=JSON)

    async def verify_batch(request: Request) -> Response:
        caller = await authorized(request, cost=0)
        if isinstance(caller, Response):
            return caller
        started = time.perf_counter()
        try:
            body = json_object(await read_json(request, config.max_body_bytes), "codes")
            codes = body["codes"]
            if not isinstance(codes, list):
                raise BodyError("BAD_REQUEST", "'codes' must be a list of strings")
            if len(codes) > config.batch_max:
                raise BodyError("BATCH_TOO_LARGE", f"at most {config.batch_max} codes per batch")
            texts = [_code_text(c, f"codes[{i}]") for i, c in enumerate(codes)]
        except BodyError as exc:
            return exc.response()
        allowed = await limited(caller, max(1, len(texts)))  # one token per code: a batch is that much work
        if isinstance(allowed, Response):
            return allowed
        # At most one batch per core verifies at a time: dozens of batches in
        # Starlette's 40 threads only fought over the GIL with each other and
        # with the event loop, and throughput swung from run to run.
        verdicts, age = await anyio.to_thread.run_sync(service.verify_many, texts, caller, limiter=batch_limiter)
        service.metrics.observe("batch", time.perf_counter() - started)
        status, headers = _verdict_status([v.reason for v in verdicts])
        age_text = status_age_text(age)
        role = caller.role
        results = ",".join([verdict_text(v, role, age_text) for v in verdicts])
        text = f'{{"count":{len(verdicts)},"results":[{results}],"status_age_s":{age_text}}}'
        return Response(text.encode(), status_code=status, headers=headers, media_type=JSON)

    async def scans(request: Request) -> Response:
        caller = await authorized(request)
        if isinstance(caller, Response):
            return caller
        try:
            body = json_object(await read_json(request, config.max_body_bytes), "records")
            records = body["records"]
            if not isinstance(records, list):
                raise BodyError("BAD_REQUEST", "'records' must be a list")
            if len(records) > config.scans_max_records:
                raise BodyError("TOO_MANY_RECORDS", f"at most {config.scans_max_records} records per upload")
        except BodyError as exc:
            return exc.response()
        try:
            accepted, rejected = await run_in_threadpool(service.record_scans, records, caller)
        except (OSError, ServiceUnavailable):
            return error("SERVICE_UNAVAILABLE", "the audit log cannot be written", headers={"Retry-After": RETRY_AFTER_S})
        return JSONResponse({"accepted": accepted, "rejected": rejected}, headers=NO_STORE)

    # -- sessions -------------------------------------------------------------------
    def session_body(session: Session) -> dict[str, Any]:
        return {"name": session.name, "role": session.role, "expires_at": iso_utc(session.expires_at),
                "display_name": session.display_name or session.name}

    async def officer_session(body: dict[str, Any]) -> Session | Response:
        """A session for an officer account the issuer vouches for (verifier.officer_signin)."""
        fields = [body.get(name) for name in ("officer", "password", "otp")]
        if not all(isinstance(v, str) and 0 < len(v) <= 256 for v in fields):
            return error("BAD_REQUEST", "'officer', 'password' and 'otp' must be strings")
        username, password, otp = (str(v) for v in fields)
        wait = await _blocking(service, service.limiter.take, OFFICER_PREFIX + username.strip().lower()[:64], 1)
        if wait > 0:
            return error("RATE_LIMITED", headers={"Retry-After": retry_after_header(wait)})
        now = service.clock()
        try:
            officer = await officer_sign_in(service.http, config.issuer_url, service.sync.keyset, now,
                                            username=username, password=password, otp=otp)
        except OfficerSignInFailed as exc:
            service.metrics.event("unauthorized")
            response = error(exc.code)
            if exc.issuer_message is not None:
                response = JSONResponse({"error": exc.code, "message": exc.issuer_message},
                                        status_code=response.status_code, headers=NO_STORE)
            return response
        return Session(OFFICER_PREFIX + officer.username, OFFICIAL, now + config.session_ttl_s,
                       officer.display_name)

    async def session_create(request: Request) -> Response:
        try:
            body = json_object(await read_json(request, SESSION_BODY_LIMIT))
            plain = body.get("api_key")
            if "officer" not in body and not isinstance(plain, str):
                raise BodyError("BAD_REQUEST", "send 'api_key', or 'officer', 'password' and 'otp'")
        except BodyError as exc:
            return exc.response()
        if "officer" in body:
            made = await officer_session(body)
            if isinstance(made, Response):
                return made
            session = made
            now = service.clock()
        else:
            key = service.keys.lookup(str(plain).strip())
            if key is None:
                service.metrics.event("unauthorized")
                return _unauthorized()
            if key.role != OFFICIAL:
                return error("SCANNER_NEEDS_OFFICER")
            wait = await _blocking(service, service.limiter.take, key.name, 1)
            if wait > 0:
                return error("RATE_LIMITED", headers={"Retry-After": retry_after_header(wait)})
            now = service.clock()
            session = Session(key.name, key.role, now + config.session_ttl_s)
        session_id = new_session_id()
        await _blocking(service, service.sessions.put, session_id, session, now)
        response = JSONResponse(session_body(session), headers=NO_STORE)
        response.set_cookie(
            COOKIE_NAME, session_id, max_age=config.session_ttl_s, path="/",
            httponly=True, samesite="strict", secure=config.cookie_secure,
        )
        return response

    async def session_show(request: Request) -> Response:
        session_id = request.cookies.get(COOKIE_NAME)
        session = await authn.session(session_id) if session_id else None
        if session is None:
            return _unauthorized()
        return JSONResponse(session_body(session), headers=NO_STORE)

    async def session_delete(request: Request) -> Response:
        session_id = request.cookies.get(COOKIE_NAME)
        if session_id:
            if request.headers.get(CSRF_HEADER) != CSRF_VALUE:
                return error("CSRF_HEADER_MISSING")
            if len(session_id) <= 128:
                await _blocking(service, service.sessions.delete, session_id)
        response = JSONResponse({"signed_out": True}, headers=NO_STORE)
        response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict", secure=config.cookie_secure)
        return response

    # -- public documents --------------------------------------------------------------
    async def keyset(request: Request) -> Response:
        return _document_response(request, service.sync.keyset_document)

    async def status_list(request: Request) -> Response:
        return _document_response(request, service.sync.status_document)

    async def server_time(request: Request) -> Response:
        now = service.clock()
        return JSONResponse(
            {"now": now, "iso": iso_utc(now), "period_s": config.period_s, "skew_steps": config.skew_steps},
            headers=NO_STORE,
        )

    async def healthz(request: Request) -> Response:
        health = await _blocking(service, service.health)
        return JSONResponse(health, status_code=200 if health["status"] == "ok" else 503, headers=NO_STORE)

    async def metrics(request: Request) -> Response:
        return PlainTextResponse(service.metrics.render(), media_type=METRICS_CONTENT_TYPE, headers=NO_STORE)

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(config, scanner_paths))

    mounted = scanner_routes(config)
    scanner_paths = tuple(sorted({str(getattr(r, "path", "")) for r in mounted} - {""}))
    routes: list[BaseRoute] = [
        Route("/v1/verify", verify, methods=["POST"]),
        Route("/v1/verify/batch", verify_batch, methods=["POST"]),
        Route("/v1/scans", scans, methods=["POST"]),
        Route("/v1/session", session_create, methods=["POST"]),
        Route("/v1/session", session_show, methods=["GET"]),
        Route("/v1/session", session_delete, methods=["DELETE"]),
        Route("/v1/keyset", keyset, methods=["GET"]),
        Route("/v1/status-list", status_list, methods=["GET"]),
        Route("/v1/time", server_time, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        *mounted,
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        return error("NOT_FOUND")

    async def not_allowed(request: Request, exc: Exception) -> Response:
        allow = exc.headers.get("Allow", "") if isinstance(exc, HTTPException) and exc.headers else ""
        return error("METHOD_NOT_ALLOWED", headers={"Allow": allow} if allow else None)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 400
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}.get(status, "BAD_REQUEST")
        return error(code)

    async def unavailable(request: Request, exc: Exception) -> Response:
        return error("SERVICE_UNAVAILABLE", headers={"Retry-After": RETRY_AFTER_S})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        log.info("verifier starting: %s", describe(config))
        try:
            await service.sync.tick()
        except Exception:
            log.exception("initial refresh failed; retrying in the background")
        async with anyio.create_task_group() as tasks:
            if background_sync:
                tasks.start_soon(service.sync.run)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
        await service.aclose()

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            404: not_found,
            405: not_allowed,
            HTTPException: http_error,
            ServiceUnavailable: unavailable,
        },
    )
    app.state.service = service
    app.state.config = config
    app.add_middleware(_ResponseCounter, service=service)
    return app


def scanner_routes(config: Config) -> list[BaseRoute]:
    """The handheld web app and its vendored libraries, when the scanner_app package is importable.

    The app checks codes offline with the same skew as this service, so it is
    given this configuration's numbers.
    """
    try:
        from scanner_app import routes as app_routes
        from scanner_app.vendor import vendor_routes
    except ImportError as exc:
        log.info("scanner app not mounted: %s", exc)
        return []
    try:
        from scanner_app import ScannerPolicy

        policy: Any = ScannerPolicy(skew_steps=config.skew_steps)
    except (ImportError, TypeError, ValueError):
        policy = None
    mounted = app_routes(policy) if policy is not None else app_routes()
    return [*mounted, *vendor_routes()]
