"""JSON in and out for the issuer's HTTP API: its error codes and the checks on every field.

Every refusal is the shared error body (``keys.edge.errors``)::

    {"error": "STABLE_CODE", "message": {"zh": "...", "en": "..."}}

with a 4xx status for anything a client did (registry refusals keep their
``issuer.errors.ErrorCode``), so a counter application can show the message as
is and a program can switch on the code. Request bodies are read with a size cap
(``keys.edge.body``) and every field is type-checked here, before any of it
reaches the registry: hostile input is a 400, never a 500.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any, Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse

from issuer.errors import ErrorCode, LifecycleError
from keys.edge import body
from keys.edge.errors import NO_STORE, HttpError, define

__all__ = [
    "MAX_JSON_BYTES",
    "NO_STORE",
    "bad_request",
    "check_query",
    "date_field",
    "district_field",
    "int_field",
    "lifecycle_http_error",
    "ok",
    "read_json",
    "text_field",
]

MAX_JSON_BYTES = 64 * 1024

# The registry's refusals (issuer.errors.ErrorCode; NOT_FOUND and INVALID_INPUT are
# the edge's own) and the issuer service's codes.
define(ErrorCode.INVALID_STATE, 409, "证件当前状态不允许此操作", "The credential's status does not allow this")
define(ErrorCode.OUTSIDE_ENDORSEMENT_WINDOW, 409, "不在签注期内", "Outside the endorsement window")
define(ErrorCode.ALREADY_EXISTS, 409, "记录已存在", "Already exists")
define(ErrorCode.ENROLMENT_INVALID, 400, "激活码无效、已使用或已过期", "The enrolment code is unknown, used or expired")
define(ErrorCode.APPLICATION_INCOMPLETE, 400, "申请信息不完整或有误", "The application is incomplete or has errors")
define(ErrorCode.PROXY_NOT_ONLINE, 403, "代办申请不能在线提交", "A proxy application cannot be made online")
define(ErrorCode.SLOT_FULL, 409, "该时段已约满", "This appointment slot is full")
define(ErrorCode.SEPARATION_OF_DUTIES, 409, "受理人不能同时审批", "The officer who accepted may not also decide")
define(ErrorCode.FORBIDDEN, 403, "无权进行此操作", "Not allowed for this role")
define(ErrorCode.SIGN_IN_FAILED, 401, "登录失败", "Sign-in failed")
define("CREDENTIAL_NOT_ACTIVE", 409, "证件当前不能出示二维码", "The credential cannot be shown now")
define("REGISTRY_UNAVAILABLE", 503, "登记库不可用", "The registry is unavailable")
define("INDEX_SPACE_EXHAUSTED", 503, "状态索引空间已满", "The status index space is exhausted")
define("PDF_UNAVAILABLE", 503, "无法生成 PDF（缺少中文字体或 PDF 组件）", "The PDF cannot be rendered")
define("EXPORT_FORMAT", 400, "无法读取导出文件", "The export cannot be read")
define("TOO_MANY_ATTEMPTS", 429, "尝试次数过多，请稍后再试", "Too many attempts; try again later")


def lifecycle_http_error(exc: LifecycleError) -> HttpError:
    """A registry or lifecycle refusal as the error body, with its own message."""
    return HttpError(str(exc.code), zh=exc.message_zh, en=exc.message_en)


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


def bad_request(zh: str, en: str, code: str = "INVALID_INPUT") -> HttpError:
    return HttpError(code, zh=zh, en=en)


async def read_json(request: Request, *, allow_empty: bool = False) -> dict[str, Any]:
    """The body as a JSON object (an empty body is ``{}`` if allowed); 400/413/415 otherwise."""
    return body.json_object(await body.read_json(request, MAX_JSON_BYTES, allow_empty=allow_empty))


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
