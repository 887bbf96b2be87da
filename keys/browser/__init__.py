"""The wire format for browsers: ES modules beside the Python they mirror.

``base45.js``, ``bytes.js``, ``wire.js``, ``timesteps.js`` and ``totp.js`` read
and write codes exactly as ``keys.base45``, ``keys.wire`` and ``keys.totp`` do,
so the holder page (issuer) and the scanner (verifier) share one copy. Each
service serves them from this package at the same paths, ``/lib/<name>.js``
(``routes()``), because a page may load scripts only from its own origin; the
modules import one another by relative path, so they work under any prefix.
Files are served from a fixed list read at start-up, never from a path taken
from the URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from keys.edge.etag import conditional, etag_for

DIRECTORY = Path(__file__).resolve().parent
URL_PREFIX = "/lib/"
MEDIA_TYPE = "text/javascript; charset=utf-8"
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def modules() -> dict[str, Path]:
    """URL path -> file, for every module of this package."""
    return {URL_PREFIX + path.name: path for path in sorted(DIRECTORY.glob("*.js"))}


def _endpoint(body: bytes) -> Callable[[Request], Awaitable[Response]]:
    etag = etag_for(body)

    async def serve(request: Request) -> Response:
        return conditional(request, body, etag=etag, media_type=MEDIA_TYPE, headers=HEADERS)

    return serve


def routes() -> list[Route]:
    """``GET``/``HEAD`` ``/lib/<name>.js`` for every module, with an ETag."""
    return [
        Route(url, _endpoint(path.read_bytes()), methods=["GET", "HEAD"], name=f"lib:{path.name}")
        for url, path in modules().items()
    ]
