"""One error body and one registry of error codes for both services' HTTP APIs.

Every refusal that is not a verdict is answered::

    {"error": "STABLE_CODE", "message": {"zh": "...", "en": "..."}, "detail"?: "..."}

with the HTTP status the code is registered with, so a client switches on
``error`` the way it switches on a verdict's ``reason``, and the issuer and the
verifier cannot drift apart on what a body that is not JSON is called. The codes
of the edge itself (bodies, bearer tokens, routing, crashes) are defined here;
each service defines its own codes with ``define`` in the module that raises
them. A code is defined once: defining it again with another status or message
is an error at import time, which is how two copies of one idea are caught.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Mapping

from starlette.responses import JSONResponse

NO_STORE: Mapping[str, str] = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class ErrorCode:
    """A stable code, the HTTP status it is answered with, and its message in Chinese and English."""

    code: str
    status: int
    zh: str
    en: str


_REGISTRY: dict[str, ErrorCode] = {}
_LOCK = threading.Lock()


def define(code: str, status: int, zh: str, en: str) -> ErrorCode:
    """Register ``code``; the same definition again is harmless, a different one raises ValueError."""
    code = str(code)  # a StrEnum member names its value
    if not code or not code.replace("_", "").isalnum() or code.upper() != code:
        raise ValueError(f"error codes are UPPER_SNAKE_CASE, not {code!r}")
    if not 400 <= status <= 599:
        raise ValueError(f"{code}: an error's HTTP status is 4xx or 5xx, not {status}")
    entry = ErrorCode(code, status, zh, en)
    with _LOCK:
        existing = _REGISTRY.setdefault(code, entry)
    if existing != entry:
        raise ValueError(f"error code {code} is already defined differently: {existing}")
    return entry


def lookup(code: str) -> ErrorCode:
    """The registered code; KeyError for one nobody defined (a programming error)."""
    return _REGISTRY[code]


def registered() -> dict[str, ErrorCode]:
    """Every code defined so far (by this package and the service modules imported)."""
    with _LOCK:
        return dict(_REGISTRY)


# -- the edge's own codes, shared by both services ------------------------------------------
UNAUTHORIZED = define("UNAUTHORIZED", 401, "未认证：请提供有效的访问令牌或重新登录",
                      "Not authenticated: send a valid bearer token or sign in again")
DUPLICATE_AUTHORIZATION = define("DUPLICATE_AUTHORIZATION", 400, "请求含有多个 Authorization 标头",
                                 "The request carries more than one Authorization header")
RATE_LIMITED = define("RATE_LIMITED", 429, "请求过于频繁，请稍后再试", "Too many requests; try again shortly")
INVALID_JSON = define("INVALID_JSON", 400, "请求体不是有效的 JSON", "The request body is not valid JSON")
INVALID_INPUT = define("INVALID_INPUT", 400, "请求内容不符合要求", "The request is not in the expected shape")
UNSUPPORTED_MEDIA_TYPE = define("UNSUPPORTED_MEDIA_TYPE", 415, "请求体须为 JSON（Content-Type: application/json）",
                                "The request body must be JSON (Content-Type: application/json)")
PAYLOAD_TOO_LARGE = define("PAYLOAD_TOO_LARGE", 413, "请求体过大", "The request body is too large")
CLIENT_DISCONNECTED = define("CLIENT_DISCONNECTED", 400, "客户端在发送请求体时断开连接",
                             "The client went away while sending the body")
NOT_FOUND = define("NOT_FOUND", 404, "未找到", "Not found")
METHOD_NOT_ALLOWED = define("METHOD_NOT_ALLOWED", 405, "不支持该请求方法", "Method not allowed")
SERVICE_UNAVAILABLE = define("SERVICE_UNAVAILABLE", 503, "服务暂不可用，请稍后重试",
                             "Service unavailable; try again shortly")
INTERNAL = define("INTERNAL", 500, "服务内部错误", "Internal error")


class HttpError(Exception):
    """A refusal to answer with the error body: a registered code, optionally a more precise message.

    ``zh``/``en`` replace the code's general message when the refusal can say
    more (which field, which credential); ``detail`` is an English note for
    programs; ``headers`` go on the response (``Retry-After``, ``Allow``...).
    """

    def __init__(
        self,
        code: str | ErrorCode,
        detail: str = "",
        *,
        zh: str | None = None,
        en: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.error = code if isinstance(code, ErrorCode) else lookup(code)
        super().__init__(f"{self.error.code}: {detail or en or self.error.en}")
        self.detail = detail
        self.zh = zh if zh is not None else self.error.zh
        self.en = en if en is not None else self.error.en
        self.headers = dict(headers or {})

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def status(self) -> int:
        return self.error.status

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error.code, "message": {"zh": self.zh, "en": self.en}}
        if self.detail:
            body["detail"] = self.detail
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers={**NO_STORE, **self.headers})


def error_response(
    code: str | ErrorCode,
    detail: str = "",
    *,
    zh: str | None = None,
    en: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The error body for ``code`` as a response (what raising ``HttpError`` would answer)."""
    return HttpError(code, detail, zh=zh, en=en, headers=headers).response()


def raw_error(code: str | ErrorCode) -> bytes:
    """A whole HTTP/1.1 error response that closes the connection, for refusals made before a
    request reaches the app (slow or oversized clients, see verifier.http_guard)."""
    error = code if isinstance(code, ErrorCode) else lookup(code)
    body = json.dumps(HttpError(error).body(), ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {error.status} {error.code.replace('_', ' ').title()}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body
