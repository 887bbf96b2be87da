"""Counts responses by status for /metrics, and turns a crash into the JSON 500, never a traceback."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keys.edge.errors import error_response

from ..service import Service

log = logging.getLogger("verifier")


class ResponseCounter:
    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def counting_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                self.service.metrics.response(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await error_response("INTERNAL")(scope, receive, counting_send)
