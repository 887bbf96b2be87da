"""The issuer HTTP service: public keys, status list, clerks' API, holders' API and page.

``create_app(config, clock=...)`` builds the ASGI app; ``main(argv)`` serves it
(``python -m issuer serve --host 127.0.0.1 --port 8000``). The clock is the only
place time is read, so tests drive the whole service by changing what it returns.

Public routes::

    GET /.well-known/permit-keys.json   the public key set (never a private key)
    GET /v1/status-list                 the signed status list (ETag / If-None-Match)
    GET /healthz                        liveness and registry reachability
    GET /holder/                        the holder's page (static HTML/JS/CSS)
    GET /vendor/qrcode.js, /vendor/jsQR.js

Clerks' routes are under ``/admin`` (issuer.admin_api), holders' under
``/v1/holder`` (issuer.holder_api); docs/issuer-api.md describes them all.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import logging
import random
import sys
import time
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from issuer.errors import LifecycleError
from issuer.status_index import IndexSpaceExhausted
from keys.browser import routes as wire_module_routes
from keys.keypair import KeyFileError
from scanner_app.vendor import vendor_routes

from . import admin_api, holder_api
from .apply.routes import routes as apply_routes
from .console.routes import routes as console_routes
from .auth import AdminAuth
from .config import Config, ConfigError
from .devkeys import KeyMaterial, admin_token_digest, open_keys
from .http_errors import (
    NO_STORE,
    ApiError,
    api_error_response,
    error_response,
    json_default_response,
    lifecycle_error_response,
)
from .minting import Minter, NotMintable
from .openapi import openapi_document
from .registry_worker import RegistryWorker
from .sms import DevOutbox
from .state import ServiceState
from .statuslist_publisher import StatusPublisher

log = logging.getLogger("issuer")

STATIC_DIR = Path(__file__).resolve().parent / "static"
KEYSET_CACHE_S = 60.0
HOLDER_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Adds headers every response should carry (no sniffing, no framing, no referrer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _SECURITY_HEADERS if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or etag in candidates


def _public_routes(state: ServiceState) -> list[BaseRoute]:
    async def keyset(request: Request) -> Response:
        now = state.now()
        cached = state.keyset_cache
        if cached is None or now - cached[0] >= KEYSET_CACHE_S or now < cached[0]:
            body = state.keys.store.public_keyset(int(now)).dumps().encode("ascii")
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            state.keyset_cache = cached = (now, body, etag)
        _, body, etag = cached
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
        if _etag_matches(request, etag):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    async def status_list(request: Request) -> Response:
        now = state.now()
        published = await state.worker.call(lambda reg, lc: state.publisher.current(reg, now))
        remaining = max(0, int(published.issued_at + published.ttl - now))
        headers = {"ETag": published.etag, "Cache-Control": f"public, max-age={remaining}"}
        if _etag_matches(request, published.etag):
            return Response(status_code=304, headers=headers)
        return Response(published.body, media_type="application/json", headers=headers)

    async def healthz(request: Request) -> Response:
        try:
            count = await state.worker.call(lambda reg, lc: reg.count())
        except Exception:
            log.exception("registry health check failed")
            return error_response(503, "REGISTRY_UNAVAILABLE", "登记库不可用", "the registry is unavailable")
        return JSONResponse(
            {"status": "ok", "kid": state.keys.signer.kid.hex(), "credentials": count,
             "dev_keys": state.keys.dev_mode, "period": state.minter.period_s},
            headers=NO_STORE,
        )

    async def holder_page(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "holder.html", media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": HOLDER_CSP, "Cache-Control": "no-cache"})

    async def service_worker(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "sw.js", media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/holder/"})

    async def to_holder(request: Request) -> Response:
        return RedirectResponse("/holder/", status_code=307)

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document())

    return [
        Route("/.well-known/permit-keys.json", keyset, methods=["GET", "HEAD"]),
        Route("/v1/status-list", status_list, methods=["GET", "HEAD"]),
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/", to_holder, methods=["GET"]),
        Route("/holder", to_holder, methods=["GET"]),
        Route("/holder/", holder_page, methods=["GET", "HEAD"]),
        Route("/holder/sw.js", service_worker, methods=["GET", "HEAD"]),
        Mount("/holder/static", app=StaticFiles(directory=STATIC_DIR), name="holder-static"),
    ]


def _exception_handlers() -> dict[Any, Callable[..., Any]]:
    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return api_error_response(exc)

    async def on_lifecycle_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LifecycleError)
        return lifecycle_error_response(exc)

    async def on_not_mintable(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotMintable)
        return error_response(409, exc.code, exc.message_zh, exc.message_en)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "BAD_REQUEST")
        response = json_default_response(exc.status_code, code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_exhausted(request: Request, exc: Exception) -> Response:
        return error_response(503, "INDEX_SPACE_EXHAUSTED", "状态索引空间已满", "the status index space is exhausted")

    async def on_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "INTERNAL", "服务内部错误", "internal error")

    return {
        ApiError: on_api_error,
        LifecycleError: on_lifecycle_error,
        NotMintable: on_not_mintable,
        HTTPException: on_http,
        IndexSpaceExhausted: on_exhausted,
        Exception: on_error,
    }


def create_app(
    config: Config | None = None,
    *,
    clock: Callable[[], float] = time.time,
    keys: KeyMaterial | None = None,
    registry_rng: random.Random | None = None,
) -> Starlette:
    """The issuer ASGI app. ``keys`` lets tests share one key store between apps."""
    cfg = config if config is not None else Config.from_env()
    material = keys if keys is not None else open_keys(cfg, clock())
    minter = Minter(material.signer, material.rotation_secret, period_s=cfg.period_s,
                    pass_hours=cfg.pass_hours, slip_days=cfg.slip_days)
    worker = RegistryWorker(cfg.registry_path, rng=registry_rng)
    state = ServiceState(
        config=cfg,
        keys=material,
        minter=minter,
        worker=worker,
        publisher=StatusPublisher(material.signer, cfg.status_ttl_s),
        admin=AdminAuth(admin_token_digest(cfg)),
        clock=clock,
        sms=DevOutbox(cfg.dev_dir / "sms-outbox.jsonl"),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            worker.close()

    routes = [*_public_routes(state), *vendor_routes(), *wire_module_routes(), *holder_api.routes(state),
              *admin_api.routes(state), *console_routes(state), *apply_routes(state)]
    app = Starlette(routes=routes, exception_handlers=_exception_handlers(), lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    app.state.issuer = state
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m issuer serve [--host H] [--port P]``: serve the app with uvicorn."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["serve"]:
        args_in = args_in[1:]
    parser = argparse.ArgumentParser(prog="python -m issuer serve", description="Run the issuer HTTP service.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(args_in)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        app = create_app()
    except (KeyFileError, ConfigError) as exc:
        print(f"issuer: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, proxy_headers=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
