"""The holder's page: static HTML, JavaScript and CSS under ``/holder/``, and the shared browser files.

The page talks only to this origin (its Content-Security-Policy says so); the
QR library it draws with comes from ``/vendor/`` (``keys.edge.static``) and the
wire format from ``/lib/`` (``keys.browser``), the same files the verifier's
scanner loads.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from keys.browser import routes as wire_module_routes
from keys.edge.static import shared_routes

from .state import ServiceState

STATIC_DIR = Path(__file__).resolve().parent / "static"
HOLDER_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def routes(state: ServiceState) -> list[BaseRoute]:
    async def holder_page(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "holder.html", media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": HOLDER_CSP, "Cache-Control": "no-cache"})

    async def service_worker(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "sw.js", media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/holder/"})

    async def manifest(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "manifest.webmanifest", media_type="application/manifest+json",
                            headers={"Cache-Control": "no-cache"})

    async def to_holder(request: Request) -> Response:
        return RedirectResponse("/holder/", status_code=307)

    return [
        Route("/", to_holder, methods=["GET"]),
        Route("/holder", to_holder, methods=["GET"]),
        Route("/holder/", holder_page, methods=["GET", "HEAD"]),
        Route("/holder/sw.js", service_worker, methods=["GET", "HEAD"]),
        Route("/holder/manifest.webmanifest", manifest, methods=["GET", "HEAD"]),
        Mount("/holder/static", app=StaticFiles(directory=STATIC_DIR), name="holder-static"),
        *shared_routes(),
        *wire_module_routes(),
    ]
