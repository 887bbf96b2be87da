"""Static routes for the browser-side third-party libraries.

jsQR (camera QR decoding) and qrcode-generator (QR rendering) are installed
from the npm registry into ``node_modules/`` by ``scripts/setup``; their code
is never copied into this repository. These routes serve the installed files
so pages can load them as plain scripts at ``/vendor/jsQR.js`` and
``/vendor/qrcode.js``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

REPO_ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO_ROOT / "node_modules"

# URL path -> file inside node_modules/
VENDOR_FILES: dict[str, Path] = {
    "/vendor/jsQR.js": NODE_MODULES / "jsqr" / "dist" / "jsQR.js",
    "/vendor/qrcode.js": NODE_MODULES / "qrcode-generator" / "dist" / "qrcode.js",
}


def _endpoint(path: Path) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        if not path.is_file():
            return PlainTextResponse(
                f"{path.relative_to(REPO_ROOT)} is not installed: run scripts/setup "
                "(it installs the browser libraries from package.json with npm).\n",
                status_code=503,
            )
        return FileResponse(
            path,
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    return serve


def vendor_routes() -> list[Route]:
    """Routes serving ``/vendor/jsQR.js`` and ``/vendor/qrcode.js``."""
    return [
        Route(url, _endpoint(path), methods=["GET", "HEAD"], name=f"vendor:{path.name}")
        for url, path in VENDOR_FILES.items()
    ]
