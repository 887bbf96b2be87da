"""The issuer HTTP service: public keys, status list, clerks' API, holders' API and page.

``create_app(config, clock=...)`` builds the ASGI app; ``main(argv)`` serves it
(``python -m issuer serve --host 127.0.0.1 --port 8000``). The clock is the only
place time is read, so tests drive the whole service by changing what it returns.

The routes come in groups, one module each, listed in ``ROUTE_GROUPS``:
``issuer.public_api`` (key set, status list, health), ``issuer.holder_page``
(``/holder/`` and the shared browser files), ``issuer.holder_api``
(``/v1/holder``), ``issuer.device_api`` (the holder's device keys and
device-bound passes), ``issuer.admin_api`` (``/admin``), ``issuer.console``
(the officials' pages) and ``issuer.apply`` (the applicants' platform). A new part of the
service adds its own ``routes(state)`` function to that tuple.
docs/issuer-api.md describes every route.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import random
import sys
import time
from typing import Any, AsyncIterator, Callable, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from issuer.errors import LifecycleError
from issuer.status_index import IndexSpaceExhausted
from keys.edge import routing
from keys.edge.env import ConfigError
from keys.edge.errors import error_response
from keys.edge.static import SecurityHeaders
from keys.keypair import KeyFileError

from . import admin_api, check_api, device_api, holder_api, holder_page, holder_phones, public_api
from .apply.routes import routes as apply_routes
from .console.routes import routes as console_routes
from .at_rest import AtRest
from .auth import AdminAuth
from .officers.api_tokens import OfficerTokens
from .config import Config
from .devkeys import KeyMaterial, admin_token_digest, open_keys
from .http_errors import lifecycle_http_error
from .minting import Minter, NotMintable
from .registry_worker import RegistryWorker
from .sms import DevOutbox
from .state import ServiceState
from .statuslist_publisher import StatusPublisher

log = logging.getLogger("issuer")

RouteGroup = Callable[[ServiceState], Sequence[BaseRoute]]

#: Every group of routes of the service, each given the running service's state.
ROUTE_GROUPS: tuple[RouteGroup, ...] = (
    public_api.routes,
    holder_page.routes,
    holder_api.routes,
    device_api.routes,
    holder_phones.routes,
    check_api.routes,
    admin_api.routes,
    console_routes,
    apply_routes,
)


def _exception_handlers() -> dict[Any, Callable[..., Any]]:
    async def on_lifecycle_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LifecycleError)
        return lifecycle_http_error(exc).response()

    async def on_not_mintable(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotMintable)
        return error_response(exc.code, zh=exc.message_zh, en=exc.message_en)

    async def on_exhausted(request: Request, exc: Exception) -> Response:
        return error_response("INDEX_SPACE_EXHAUSTED")

    async def on_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response("INTERNAL")

    return {
        **routing.exception_handlers(),
        LifecycleError: on_lifecycle_error,
        NotMintable: on_not_mintable,
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
    worker = RegistryWorker(cfg.registry_path, rng=registry_rng, at_rest=AtRest(material.store.data_key))
    state = ServiceState(
        config=cfg,
        keys=material,
        minter=minter,
        worker=worker,
        publisher=StatusPublisher(material.signer, cfg.status_ttl_s),
        admin=AdminAuth(admin_token_digest(cfg), officer_for=lambda token: worker.call(
            lambda reg, lc: OfficerTokens(reg).officer_for(token))),
        clock=clock,
        sms=DevOutbox(cfg.dev_dir / "sms-outbox.jsonl"),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            worker.close()

    routes = [route for group in ROUTE_GROUPS for route in group(state)]
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
