"""The verifier's own error codes, and the list of every code its API answers.

The error body and the codes both services use (bodies, bearer tokens,
routing) are ``keys.edge.errors``; these are the refusals only the verifier
makes. ``CODES`` is what the OpenAPI document lists.
"""

from __future__ import annotations

from keys.edge.errors import NO_STORE, define, raw_error

__all__ = ["CODES", "NO_STORE", "RETRY_AFTER_S", "raw_error"]

RETRY_AFTER_S = "2"

define("SCANNER_NEEDS_OFFICER", 403, "这是企业核验密钥：请在企业核验页（/business）或通过接口核验，不能登录执法核验终端。"
       "执法人员请使用警员账号登录。",
       "This is a business key: check permits on the business page (/business) or through the API; "
       "it cannot sign in to the officials' scanner. Officials sign in with an officer account.")
define("BUSINESS_KEY_REQUIRED", 403, "这是执法核验密钥：请在执法核验终端（/scan）登录，企业核验页只接受企业密钥。",
       "This is an official key: sign in at the officials' scanner (/scan); the business page "
       "takes business keys only.")
define("KEYS_ADMIN_ONLY", 403, "此密钥不能管理访问密钥：请使用本单位的管理密钥登录。",
       "This key cannot manage access keys: sign in with your organisation's admin key.")
define("KEY_NAME_TAKEN", 409, "该名称已被使用（已注销密钥的名称也不再使用），请换一个名称。",
       "That name is taken (names of revoked keys are not reused either); choose another.")
define("KEY_NOT_FOUND", 404, "本单位没有这个访问密钥。", "Your organisation has no key of that name.")
define("KEY_LIMIT_REACHED", 409, "本单位使用中的访问密钥已达上限，请先注销不用的密钥。",
       "Your organisation has as many keys in use as allowed; revoke one it no longer needs first.")
define("KEY_IS_YOURS", 409, "不能注销本次登录所用的密钥，请用本单位的另一把管理密钥操作。",
       "The key you are signed in with cannot revoke itself; use another admin key of your organisation.")
define("OFFICER_SIGN_IN_FAILED", 401, "警员账号、密码或动态口令不正确，或账号无权使用核验终端",
       "Wrong officer name, password or one-time code, or the account may not scan")
define("ISSUER_UNREACHABLE", 503, "暂时无法连接签发系统核对警员账号，请稍后重试或使用访问密钥",
       "Cannot reach the issuer to check the officer account; try again or use an access key")
define("CSRF_HEADER_MISSING", 403, "请求缺少 X-Requested-With: scanner 标头",
       "Cookie requests need the header X-Requested-With: scanner")
define("BATCH_TOO_LARGE", 413, "批量核验的二维码数量超过上限", "Too many codes in one batch")
define("TOO_MANY_RECORDS", 413, "上传的记录数量超过上限", "Too many records in one upload")
define("HEADERS_TOO_LARGE", 431, "请求标头过大或过多", "The request headers are too large or too many")
define("REQUEST_TIMEOUT", 408, "请求发送过慢，连接已关闭", "The request arrived too slowly; the connection is closed")
define("TOO_MANY_CONNECTIONS", 429, "来自该地址的连接过多", "Too many open connections from this address")
define("NOT_READY", 503, "尚未从签发方取得数据，请稍后重试", "Not yet fetched from the issuer; try again shortly")

#: every error code the verifier's API can answer
CODES: tuple[str, ...] = (
    "UNAUTHORIZED", "DUPLICATE_AUTHORIZATION", "SCANNER_NEEDS_OFFICER", "BUSINESS_KEY_REQUIRED", "OFFICER_SIGN_IN_FAILED",
    "ISSUER_UNREACHABLE", "CSRF_HEADER_MISSING", "RATE_LIMITED",
    "KEYS_ADMIN_ONLY", "KEY_NAME_TAKEN", "KEY_NOT_FOUND", "KEY_LIMIT_REACHED", "KEY_IS_YOURS",
    "INVALID_JSON", "INVALID_INPUT", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE", "CLIENT_DISCONNECTED",
    "HEADERS_TOO_LARGE", "REQUEST_TIMEOUT", "TOO_MANY_CONNECTIONS",
    "BATCH_TOO_LARGE", "TOO_MANY_RECORDS", "NOT_FOUND", "METHOD_NOT_ALLOWED", "NOT_READY",
    "SERVICE_UNAVAILABLE", "INTERNAL",
)
