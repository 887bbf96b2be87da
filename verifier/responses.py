"""HTTP errors and request bodies: every refusal before a verdict has a stable code.

Errors that are not about a code (no key, too many requests, a body that is not
JSON) are answered ``{"error": CODE, "message": {"zh", "en"}, "detail"?}`` with
the matching HTTP status, so clients switch on ``error`` the way they switch on
a verdict's ``reason``. A body is read up to a fixed limit and never past it:
a client announcing or sending more gets 413 before the rest is read.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

#: error code -> (HTTP status, Chinese, English)
ERRORS: dict[str, tuple[int, str, str]] = {
    "UNAUTHORIZED": (401, "未认证：请提供有效的 API 密钥或重新登录", "Not authenticated: send a valid API key or sign in again"),
    "SCANNER_NEEDS_OFFICER": (403, "这是企业核验密钥：只能通过接口查询有效性，不能登录执法核验终端。请使用警员账号登录。",
                              "This is a business key: it checks validity through the API and cannot sign in to "
                              "the officials' scanner. Sign in with an officer account."),
    "OFFICER_SIGN_IN_FAILED": (401, "警员账号、密码或动态口令不正确，或账号无权使用核验终端",
                               "Wrong officer name, password or one-time code, or the account may not scan"),
    "ISSUER_UNREACHABLE": (503, "暂时无法连接签发系统核对警员账号，请稍后重试或使用访问密钥",
                           "Cannot reach the issuer to check the officer account; try again or use an access key"),
    "CSRF_HEADER_MISSING": (403, "请求缺少 X-Requested-With: scanner 标头", "Cookie requests need the header X-Requested-With: scanner"),
    "RATE_LIMITED": (429, "请求过于频繁，请稍后再试", "Too many requests; try again shortly"),
    "MALFORMED_JSON": (400, "请求体不是有效的 JSON", "The request body is not valid JSON"),
    "BAD_REQUEST": (400, "请求格式不正确", "The request is not in the expected shape"),
    "PAYLOAD_TOO_LARGE": (413, "请求体过大", "The request body is too large"),
    "HEADERS_TOO_LARGE": (431, "请求标头过大或过多", "The request headers are too large or too many"),
    "REQUEST_TIMEOUT": (408, "请求发送过慢，连接已关闭", "The request arrived too slowly; the connection is closed"),
    "TOO_MANY_CONNECTIONS": (429, "来自该地址的连接过多", "Too many open connections from this address"),
    "BATCH_TOO_LARGE": (413, "批量核验的二维码数量超过上限", "Too many codes in one batch"),
    "TOO_MANY_RECORDS": (413, "上传的记录数量超过上限", "Too many records in one upload"),
    "NOT_FOUND": (404, "未找到", "Not found"),
    "METHOD_NOT_ALLOWED": (405, "不支持该请求方法", "Method not allowed"),
    "NOT_READY": (503, "尚未从签发方取得数据，请稍后重试", "Not yet fetched from the issuer; try again shortly"),
    "SERVICE_UNAVAILABLE": (503, "核验服务暂不可用，请稍后重试", "Verification service unavailable; try again"),
    "INTERNAL": (500, "内部错误", "Internal error"),
}

NO_STORE = {"Cache-Control": "no-store"}


class BodyError(Exception):
    """The body cannot be used; carries the error response to send."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail

    def response(self) -> JSONResponse:
        return error(self.code, self.detail)


def error(code: str, detail: str = "", *, headers: dict[str, str] | None = None) -> JSONResponse:
    status, zh, en = ERRORS[code]
    body: dict[str, Any] = {"error": code, "message": {"zh": zh, "en": en}}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


def raw_error(code: str) -> bytes:
    """A whole HTTP/1.1 error response that closes the connection, for refusals made
    before a request reaches the app (slow or oversized clients, see verifier.http_guard)."""
    status, zh, en = ERRORS[code]
    body = json.dumps({"error": code, "message": {"zh": zh, "en": en}}, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status} {code.replace('_', ' ').title()}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


async def read_json(request: Request, limit: int) -> Any:
    """The JSON body, read to at most ``limit`` bytes; BodyError otherwise."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise BodyError("PAYLOAD_TOO_LARGE", f"at most {limit} bytes")
        except ValueError:
            raise BodyError("BAD_REQUEST", "invalid Content-Length") from None
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyError("PAYLOAD_TOO_LARGE", f"at most {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise BodyError("BAD_REQUEST", "the client went away") from None
    body = b"".join(chunks)
    if not body.strip():
        raise BodyError("MALFORMED_JSON", "empty body")
    try:
        return json.loads(body)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise BodyError("MALFORMED_JSON") from None


def json_object(value: Any, *required: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BodyError("BAD_REQUEST", "the body must be a JSON object")
    for name in required:
        if name not in value:
            raise BodyError("BAD_REQUEST", f"missing field {name!r}")
    return value
