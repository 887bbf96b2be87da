"""HTTP routes of the business page, all under ``/business``.

Landlords and employers check a permit here with a business key: the verdict
and exactly what the holder agreed to show (``verifier.disclosure``), in the
browser, online only. The officials' scanner (``/scan``) checks codes offline
with every claim in view, which is why a business never gets that app; this
page reuses its camera, verdict words and API modules by importing them from
``/scan/``. ``/business/keys`` is the small page where an organisation's admin
key manages the organisation's keys.

Files are served from a fixed list with the scanner's security headers and
content security policy (``scanner_app.pages``).
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Route

from .pages import MEDIA_TYPES, PAGE_HEADERS, SECURITY_HEADERS, file_endpoint

BUSINESS_DIR = Path(__file__).resolve().parent / "business"
PAGES = {"/business": "index.html", "/business/keys": "keys.html"}


def business_files() -> dict[str, Path]:
    """URL path -> file, for every script and style of the business pages."""
    return {
        f"/business/{path.name}": path
        for path in sorted(BUSINESS_DIR.iterdir())
        if path.is_file() and path.suffix in MEDIA_TYPES and path.suffix != ".html"
    }


def business_routes() -> list[BaseRoute]:
    methods = ["GET", "HEAD"]
    routes: list[BaseRoute] = [
        Route(url, file_endpoint(BUSINESS_DIR / name, PAGE_HEADERS), methods=methods, name=f"business:{name}")
        for url, name in PAGES.items()
    ]
    for url, path in business_files().items():
        routes.append(Route(url, file_endpoint(path, SECURITY_HEADERS), methods=methods, name=f"business:{path.name}"))
    return routes
