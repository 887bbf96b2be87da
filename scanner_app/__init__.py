"""The handheld scanner web app served at ``/scan`` by the verifier service, and the business page at ``/business``.

``routes()`` gives the Starlette routes; the verifier mounts them together with
``keys.edge.static.shared_routes()`` (the npm-installed QR decoder, shared with
the issuer's holder page).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from .business_pages import business_routes
from .documents import ScannerPolicy, messages_document
from .pages import scanner_routes


def routes(policy: ScannerPolicy | None = None) -> list[BaseRoute]:
    """The app's routes under ``/scan``, checking with ``policy`` (defaults match the verifier's),
    and the business page's under ``/business``."""
    return [*scanner_routes(policy), *business_routes()]


__all__ = ["ScannerPolicy", "messages_document", "routes"]
