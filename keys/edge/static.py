"""Browser files both services serve: the npm-installed QR libraries, and headers every response carries.

jsQR (camera QR decoding) and qrcode-generator (QR rendering) are installed
from the npm registry into ``node_modules/`` by ``scripts/setup``; their code is
never copied into this repository. The issuer's holder page and the verifier's
scanner both load them from ``/vendor/``, so the routes live here rather than in
either service (or in the scanner app, which the issuer must not need). A
browser module both pages share (the wire format) belongs in ``SHARED_FILES`` too,
served from the package that owns it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"

#: URL path -> file served there (a fixed list: never a path taken from the URL).
SHARED_FILES: dict[str, Path] = {
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
        return FileResponse(path, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"})

    return serve


def shared_routes() -> list[Route]:
    """Routes serving every file of ``SHARED_FILES``."""
    return [
        Route(url, _endpoint(path), methods=["GET", "HEAD"], name=f"shared:{path.name}")
        for url, path in SHARED_FILES.items()
    ]


SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """Adds the headers every response should carry (no sniffing, no framing, no referrer) unless set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [(k, v) for k, v in SECURITY_HEADERS if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
