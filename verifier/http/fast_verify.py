"""``POST /v1/verify`` answered without Starlette's request, routing and response layers.

At thousands of verifications per second the framework around one Ed25519 check
costs more than the check: middleware wrappers, a ``Request`` and its header
parsing, a ``Response`` and its header building. This ASGI middleware sits
outermost (inside Starlette's crash handler) and answers the one request that
makes up the load, a well-formed verification with an API key, straight from
the ASGI scope:

* one ``Authorization: Bearer`` header whose key is known, a JSON content type,
  a body within the limit that is a JSON object with a ``code`` string;
* the answer is ``verify.verdict_parts`` (the route's own), with the headers
  the middleware it bypasses would add (security headers) and counted in the
  metrics as they would count it.

Anything else (a session cookie, a missing or unknown key, a body that is not
what is expected) is handed to the regular app unchanged, the body it has
already read replayed, so every refusal keeps exactly one implementation.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keys.edge.bearer import TOKEN
from keys.edge.body import is_json_media_type
from keys.edge.errors import error_response
from keys.edge.static import SECURITY_HEADERS

from ..auth import Caller
from ..ratelimit import retry_after_header
from ..service import Service
from .verify import code_text, verdict_parts

PATH = "/v1/verify"
_JSON = (b"content-type", b"application/json")


class FastVerify:
    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service
        self.limit = service.config.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        caller = self._caller(scope)
        if caller is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay(chunks, receive, True, message), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            more = message.get("more_body", False)
            if size > self.limit:
                await self.app(scope, _replay(chunks, receive, more), send)
                return
        text = _code(b"".join(chunks))
        if text is None:
            await self.app(scope, _replay(chunks, receive, False), send)
            return
        service = self.service
        if service.uses_redis:  # one worker-thread hop for the rate limit and the verdict, both on Redis
            answer = await run_in_threadpool(_limited_answer, service, caller, text, started)
        else:
            answer = _limited_answer(service, caller, text, started)
        if isinstance(answer, float):
            service.metrics.event("rate_limited")
            await error_response("RATE_LIMITED", headers={"Retry-After": retry_after_header(answer)})(
                scope, receive, _with_security_headers(send, service))
            return
        status, headers, body = answer
        raw = [_JSON, (b"content-length", str(len(body)).encode())]
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw += SECURITY_HEADERS
        service.metrics.response(status)
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    def _caller(self, scope: Scope) -> Caller | None:
        """The caller of a request with one well-formed, known API key and a JSON body; else None."""
        authorization = None
        json_body = False
        for name, value in scope["headers"]:
            if name == b"authorization":
                if authorization is not None:
                    return None  # two of them: the regular app refuses that
                authorization = value
            elif name == b"content-type":
                json_body = is_json_media_type(value.decode("latin-1"))
        if authorization is None or not json_body:
            return None
        scheme, _, token = authorization.decode("latin-1").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not TOKEN.fullmatch(token):
            return None
        key = self.service.keys.lookup(token)
        return None if key is None else Caller(key.name, key.role, "key")


def _limited_answer(service: Service, caller: Caller, text: str,
                    started: float) -> tuple[int, dict[str, str], bytes] | float:
    """The answer, or the seconds to wait when the caller's bucket is empty (nothing verified then)."""
    wait = service.limiter.take(caller.name, 1)
    if wait > 0:
        return float(wait)
    return verdict_parts(service, caller, text, started)


def _code(body: bytes) -> str | None:
    """The code of a body ``{"code": "..."}``, or None for anything the regular route must answer."""
    try:
        value: Any = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    code = value.get("code")
    return code_text(code, "code") if isinstance(code, str) else None


def _replay(chunks: list[bytes], receive: Receive, more: bool, pending: Message | None = None) -> Receive:
    """A ``receive`` that gives the body read so far (``more``: the client has more to send),
    then a message already taken (``pending``), then whatever the client sends next."""
    queue: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": more}]
    if pending is not None:
        queue.append(pending)

    async def replayed() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return replayed


def _with_security_headers(send: Send, service: Service) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            service.metrics.response(message["status"])
        await send(message)

    return wrapped
