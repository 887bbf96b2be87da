"""HTTP routes of the handheld scanner app, all under ``/scan``.

The app is static files plus two generated JSON documents; everything it
verifies comes from the verifier service's ``/v1`` API on the same origin. Files
are served from a fixed list (never from a path taken from the URL), with an
ETag so the service worker and the browser revalidate cheaply.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from keys.browser import routes as wire_module_routes

from keys.edge.etag import conditional

from .documents import ScannerPolicy, messages_document

STATIC_DIR = Path(__file__).resolve().parent / "static"

MEDIA_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
}

#: The page may talk only to its own origin; the camera stream is a blob/mediastream.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}

PAGE_HEADERS: dict[str, str] = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}

#: The service worker lives at /scan/sw.js but must control the page at /scan.
SERVICE_WORKER_HEADERS: dict[str, str] = {**SECURITY_HEADERS, "Service-Worker-Allowed": "/scan"}


def _etagged(request: Request, body: bytes, media_type: str, headers: dict[str, str]) -> Response:
    return conditional(request, body, media_type=media_type, headers={**headers, "Cache-Control": "no-cache"})


def file_endpoint(path: Path, headers: dict[str, str]) -> Callable[[Request], Any]:
    media_type = MEDIA_TYPES[path.suffix]

    async def serve(request: Request) -> Response:
        try:
            body = path.read_bytes()
        except OSError:
            return Response("scanner app file missing\n", status_code=503, media_type="text/plain")
        return _etagged(request, body, media_type, headers)

    return serve


def _json_endpoint(document: Callable[[], dict[str, Any]]) -> Callable[[Request], Any]:
    async def serve(request: Request) -> Response:
        body = json.dumps(document(), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return _etagged(request, body, MEDIA_TYPES[".json"], SECURITY_HEADERS)

    return serve


def static_files() -> dict[str, Path]:
    """URL path -> file, for every servable file of the app (index.html is /scan)."""
    files: dict[str, Path] = {}
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file() and path.suffix in MEDIA_TYPES and path.name != "index.html":
            files[f"/scan/{path.name}"] = path
    return files


def scanner_routes(policy: ScannerPolicy | None = None) -> list[BaseRoute]:
    """Every route of the app; ``policy`` sets the numbers the page checks with."""
    chosen = policy or ScannerPolicy()
    methods = ["GET", "HEAD"]
    routes: list[BaseRoute] = [
        Route("/scan", file_endpoint(STATIC_DIR / "index.html", PAGE_HEADERS), methods=methods, name="scan:index"),
        Route("/scan/", file_endpoint(STATIC_DIR / "index.html", PAGE_HEADERS), methods=methods, name="scan:index-slash"),
        Route("/scan/messages.json", _json_endpoint(messages_document), methods=methods, name="scan:messages"),
        Route("/scan/config.json", _json_endpoint(chosen.to_json), methods=methods, name="scan:config"),
    ]
    for url, path in static_files().items():
        headers = SERVICE_WORKER_HEADERS if path.name == "sw.js" else SECURITY_HEADERS
        routes.append(Route(url, file_endpoint(path, headers), methods=methods, name=f"scan:{path.name}"))
    return [*routes, *wire_module_routes()]
