"""Request bodies: read to a fixed limit and never past it, JSON only when declared as JSON.

A client announcing more than the limit (``Content-Length``) gets 413 before
anything is read; one sending more gets 413 as soon as the limit is passed; one
that goes away mid-body gets ``CLIENT_DISCONNECTED`` rather than a crash. A JSON
body must say so (``Content-Type: application/json`` or ``+json``), else 415:
the service never guesses what a body is.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import ClientDisconnect, Request

from .errors import HttpError


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, at most ``limit`` bytes; HttpError (413, 400) otherwise."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise HttpError("INVALID_INPUT", "invalid Content-Length")
        if int(declared) > limit:
            raise HttpError("PAYLOAD_TOO_LARGE", f"at most {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HttpError("PAYLOAD_TOO_LARGE", f"at most {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise HttpError("CLIENT_DISCONNECTED") from None
    return b"".join(chunks)


def is_json_media_type(content_type: str | None) -> bool:
    """``application/json`` or a ``+json`` type, parameters (charset) ignored, any case."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def read_json(request: Request, limit: int, *, allow_empty: bool = False) -> Any:
    """The parsed JSON body; an empty body is ``{}`` when ``allow_empty``.

    415 when a non-empty body is not declared as JSON; ``INVALID_JSON`` when it
    is not JSON, not UTF-8, or nested too deep to parse.
    """
    body = await read_body(request, limit)
    if allow_empty and not body.strip():
        return {}
    if not is_json_media_type(request.headers.get("content-type")):
        raise HttpError("UNSUPPORTED_MEDIA_TYPE")
    if not body.strip():
        raise HttpError("INVALID_JSON", "empty body")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise HttpError("INVALID_JSON") from None


def json_object(value: Any, *required: str) -> dict[str, Any]:
    """``value`` if it is a JSON object holding every ``required`` field; INVALID_INPUT otherwise."""
    if not isinstance(value, dict):
        raise HttpError("INVALID_INPUT", "the body must be a JSON object",
                        zh="请求内容须为 JSON 对象", en="the request body must be a JSON object")
    for name in required:
        if name not in value:
            raise HttpError("INVALID_INPUT", f"missing field {name!r}",
                            zh=f"缺少字段 {name}", en=f"missing field {name}")
    return value
