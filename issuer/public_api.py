"""The issuer's public documents: the key set, the signed status list, health, and its OpenAPI description.

Verifiers fetch the first two and revalidate with ``If-None-Match``
(``keys.edge.etag``), so an unchanged document costs them a 304.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from keys.edge.errors import NO_STORE, error_response
from keys.edge.etag import conditional, etag_for

from .openapi import openapi_document
from .state import ServiceState

log = logging.getLogger("issuer")

KEYSET_CACHE_S = 60.0


def routes(state: ServiceState) -> list[BaseRoute]:
    async def keyset(request: Request) -> Response:
        now = state.now()
        cached = state.keyset_cache
        if cached is None or now - cached[0] >= KEYSET_CACHE_S or now < cached[0]:
            body = state.keys.store.public_keyset(int(now)).dumps().encode("ascii")
            state.keyset_cache = cached = (now, body, etag_for(body))
        _, body, etag = cached
        return conditional(request, body, etag=etag, media_type="application/json",
                           headers={"Cache-Control": "public, max-age=300"})

    async def status_list(request: Request) -> Response:
        now = state.now()
        published = await state.worker.call(lambda reg, lc: state.publisher.current(reg, now))
        remaining = max(0, int(published.issued_at + published.ttl - now))
        return conditional(request, published.body, etag=published.etag, media_type="application/json",
                           headers={"Cache-Control": f"public, max-age={remaining}"})

    async def healthz(request: Request) -> Response:
        try:
            count = await state.worker.call(lambda reg, lc: reg.count())
        except Exception:
            log.exception("registry health check failed")
            return error_response("REGISTRY_UNAVAILABLE")
        return JSONResponse(
            {"status": "ok", "kid": state.keys.signer.kid.hex(), "credentials": count,
             "dev_keys": state.keys.dev_mode, "period": state.minter.period_s},
            headers=NO_STORE,
        )

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document())

    return [
        Route("/.well-known/permit-keys.json", keyset, methods=["GET", "HEAD"]),
        Route("/v1/status-list", status_list, methods=["GET", "HEAD"]),
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
