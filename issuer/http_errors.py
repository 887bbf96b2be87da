"""JSON in and out for the issuer's HTTP API, and one error shape for every refusal.

Every error response is::

    {"error": "STABLE_CODE", "message": {"zh": "...", "en": "..."}}

(the same shape as the verifier's errors) with a 4xx status for anything a client did (registry refusals keep their
``issuer.errors.ErrorCode``), so a counter application can show the message as
is and a program can switch on the code. Request bodies are read with a size cap
and every field is type-checked here, before any of it reaches the registry:
hostile input is a 400, never a 500.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import Any, Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from issuer.errors import ErrorCode, LifecycleError

NO_STORE = {"Cache-Control": "no-store"}
MAX_JSON_BYTES = 64 * 1024

_LIFECYCLE_STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.INVALID_STATE: 409,
    ErrorCode.OUTSIDE_ENDORSEMENT_WINDOW: 409,
    ErrorCode.INVALID_INPUT: 400,
    ErrorCode.ALREADY_EXISTS: 409,
    ErrorCode.ENROLMENT_INVALID: 400,
    ErrorCode.APPLICATION_INCOMPLETE: 400,
    ErrorCode.PROXY_NOT_ONLINE: 403,
    ErrorCode.SLOT_FULL: 409,
    ErrorCode.SEPARATION_OF_DUTIES: 409,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.SIGN_IN_FAILED: 401,
}


class ApiError(Exception):
    """A refusal with an HTTP status, a stable code and a bilingual message."""

    def __init__(self, status: int, code: str, zh: str, en: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{code}: {en}")
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en
        self.headers = dict(headers or {})


def error_response(status: int, code: str, zh: str, en: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": code, "message": {"zh": zh, "en": en}},
        status_code=status,
        headers={**NO_STORE, **(headers or {})},
    )


def api_error_response(exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.zh, exc.en, exc.headers)


def lifecycle_error_response(exc: LifecycleError) -> JSONResponse:
    return error_response(_LIFECYCLE_STATUS.get(exc.code, 400), str(exc.code), exc.message_zh, exc.message_en)


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


def bad_request(zh: str, en: str, code: str = "INVALID_INPUT") -> ApiError:
    return ApiError(400, code, zh, en)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise ApiError(413, "PAYLOAD_TOO_LARGE", "请求内容过大", "request body too large")
        except ValueError:
            raise bad_request("Content-Length 无效", "invalid Content-Length") from None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "PAYLOAD_TOO_LARGE", "请求内容过大", "request body too large")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, *, allow_empty: bool = False) -> dict[str, Any]:
    """The body as a JSON object; 400 for anything else (an empty body is ``{}`` if allowed)."""
    body = await read_body(request, MAX_JSON_BYTES)
    if not body.strip():
        if allow_empty:
            return {}
        raise bad_request("请求内容须为 JSON 对象", "the request body must be a JSON object", "INVALID_JSON")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise bad_request("请求内容不是有效的 JSON", "the request body is not valid JSON", "INVALID_JSON") from None
    if not isinstance(data, dict):
        raise bad_request("请求内容须为 JSON 对象", "the request body must be a JSON object", "INVALID_JSON")
    return data


def _clean_text(value: str, name: str, limit: int) -> str:
    """Refuse text that cannot be stored or printed: lone surrogates, control characters."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request(f"字段 {name} 含有无效字符", f"field {name} contains invalid characters") from None
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in value):
        raise bad_request(f"字段 {name} 含有控制字符", f"field {name} contains control characters")
    if len(value) > limit:
        raise bad_request(f"字段 {name} 过长", f"field {name} is too long")
    return value


def text_field(data: Mapping[str, Any], name: str, *, required: bool = True, limit: int = 500) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise bad_request(f"缺少字段 {name}", f"missing field {name}")
        return None
    if not isinstance(value, str):
        raise bad_request(f"字段 {name} 须为字符串", f"field {name} must be a string")
    return _clean_text(value, name, limit)


def int_field(data: Mapping[str, Any], name: str, *, required: bool = True, low: int = 0, high: int = 2**31) -> int | None:
    value = data.get(name)
    if value is None:
        if required:
            raise bad_request(f"缺少字段 {name}", f"missing field {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"字段 {name} 须为整数", f"field {name} must be an integer")
    if not low <= value <= high:
        raise bad_request(f"字段 {name} 超出范围", f"field {name} is out of range")
    return value


def date_field(data: Mapping[str, Any], name: str, *, required: bool = True) -> date | None:
    text = text_field(data, name, required=required, limit=10)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise bad_request(f"字段 {name} 须为日期 YYYY-MM-DD", f"field {name} must be a date YYYY-MM-DD") from None


def district_field(data: Mapping[str, Any], name: str, *, required: bool = True) -> str | int | None:
    """A district as its code (1..16) or its name; the lifecycle resolves it."""
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < 2**16:
            raise bad_request("未知的区", "unknown district")
        return value
    return text_field(data, name, required=required, limit=32)


def check_query(request: Request, name: str, limit: int = 64) -> str | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    return _clean_text(value, name, limit)


def json_default_response(status: int, code: str) -> Response:
    """Error bodies for the router's own 404/405."""
    texts = {
        404: ("未找到", "not found"),
        405: ("不支持的请求方法", "method not allowed"),
    }
    zh, en = texts.get(status, ("请求无效", "bad request"))
    return error_response(status, code, zh, en)
