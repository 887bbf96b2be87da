"""What the verifier answers without a key: cached issuer documents, time, health, metrics, its description.

The key set and the status list are served to handhelds exactly as fetched from
the issuer, with this service's ETag, so a handheld revalidates for the cost
of a 304 (``keys.edge.etag``).
"""

from __future__ import annotations

from email.utils import formatdate
from typing import Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from keys.edge.errors import HttpError
from keys.edge.etag import conditional

from ..disclosure import iso_utc
from ..metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from ..openapi import openapi_document
from ..service import Service
from ..sync import CachedDocument
from .authn import blocking
from .errors import NO_STORE, RETRY_AFTER_S


def document_response(request: Request, doc: CachedDocument | None) -> Response:
    if doc is None:
        raise HttpError("NOT_READY", headers={"Retry-After": RETRY_AFTER_S})
    headers = {"Cache-Control": "no-cache", "Last-Modified": formatdate(doc.fetched_at, usegmt=True)}
    return conditional(request, doc.raw, etag=doc.etag, media_type="application/json", headers=headers)


def routes(service: Service, scanner_paths: Sequence[str]) -> list[Route]:
    config = service.config

    async def keyset(request: Request) -> Response:
        return document_response(request, service.sync.keyset_document)

    async def status_list(request: Request) -> Response:
        return document_response(request, service.sync.status_document)

    async def server_time(request: Request) -> Response:
        now = service.clock()
        return JSONResponse(
            {"now": now, "iso": iso_utc(now), "period_s": config.period_s, "skew_steps": config.skew_steps},
            headers=NO_STORE,
        )

    async def healthz(request: Request) -> Response:
        health = await blocking(service, service.health)
        return JSONResponse(health, status_code=200 if health["status"] == "ok" else 503, headers=NO_STORE)

    async def metrics(request: Request) -> Response:
        return PlainTextResponse(service.metrics.render(), media_type=METRICS_CONTENT_TYPE, headers=NO_STORE)

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(config, tuple(scanner_paths)))

    return [
        Route("/v1/keyset", keyset, methods=["GET"]),
        Route("/v1/status-list", status_list, methods=["GET"]),
        Route("/v1/time", server_time, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
