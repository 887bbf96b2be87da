"""The verifier HTTP service (Starlette): verdicts for scanned codes, by role.

``create_app(config=None, *, clock=time.time, http_client=None)`` builds the
app; without a config it reads the environment (after creating the dev files of
the embedded default). Tests inject a clock and an ``httpx.AsyncClient`` whose
transport reaches a fake issuer.

Endpoints (full reference in docs/api.md, machine-readable at /openapi.json),
one module of ``verifier.http`` per group::

    POST   /v1/verify          one code            (API key or session cookie)   http.verify
    POST   /v1/verify/batch    up to VERIFIER_BATCH_MAX codes
    POST   /v1/scans           offline scan reports from handhelds
    POST   /v1/session         sign a handheld in with an official key -> cookie  http.session_api
    GET    /v1/session         who am I
    DELETE /v1/session         sign out
    GET    /v1/keys            an organisation's keys (its admin key)            http.keys_api
    POST   /v1/keys            a new key, shown once
    DELETE /v1/keys/{name}     revoke a key of the organisation
    GET    /v1/keyset          cached issuer key set (public, ETag)              http.public
    GET    /v1/status-list     cached signed status list (public, ETag)
    GET    /v1/time            server time for the handhelds' clock check
    GET    /healthz            readiness (503 when verdicts cannot be given)
    GET    /metrics            Prometheus text
    GET    /openapi.json       this API described
    GET    /scan, /vendor/...  the handheld app (scanner_app) and shared browser files
    GET    /business[/keys]    the business page and its key self-service page (scanner_app)
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from typing import Any, AsyncIterator, Callable

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from keys.edge import routing
from keys.edge.errors import error_response
from keys.edge.static import SecurityHeaders, shared_routes
from keys.errors import ServiceUnavailable

from . import devsetup
from .config import Config, describe
from .http import keys_api, public, session_api, verify
from .http.authn import Authn
from .http.errors import RETRY_AFTER_S
from .http.fast_verify import FastVerify
from .http.middleware import ResponseCounter
from .service import Service

log = logging.getLogger("verifier")


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load_config(env: Any = None, *, announce: Callable[[str], None] = _to_stderr) -> Config:
    """The embedded default's dev files (announcing new dev keys once), then the checked configuration."""
    for line in devsetup.prepare(env):
        announce(line)
    return Config.from_env(env)


async def _unavailable(request: Request, exc: Exception) -> Response:
    return error_response("SERVICE_UNAVAILABLE", headers={"Retry-After": RETRY_AFTER_S})


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
    authn = Authn(service)
    mounted = scanner_routes(config)
    scanner_paths = tuple(sorted({str(getattr(r, "path", "")) for r in mounted} - {""}))
    routes: list[BaseRoute] = [
        *verify.routes(service, authn),
        *session_api.routes(service, authn),
        *keys_api.routes(service, authn),
        *public.routes(service, scanner_paths),
        *mounted,
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        log.info("verifier starting: %s", describe(config))
        async with service.running(background_sync=background_sync):
            yield

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={**routing.exception_handlers(), ServiceUnavailable: _unavailable},
    )
    app.state.service = service
    app.state.config = config
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ResponseCounter, service=service)
    app.add_middleware(FastVerify, service=service)  # outermost: the load skips the layers above
    return app


def scanner_routes(config: Config) -> list[BaseRoute]:
    """The handheld web app and the shared browser files, when the scanner_app package is importable.

    The app checks codes offline with the same skew as this service, so it is
    given this configuration's numbers.
    """
    try:
        from scanner_app import ScannerPolicy
        from scanner_app import routes as app_routes
    except ImportError as exc:
        log.info("scanner app not mounted: %s", exc)
        return []
    return [*app_routes(ScannerPolicy(skew_steps=config.skew_steps)), *shared_routes()]
