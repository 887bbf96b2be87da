"""The issuer's OpenAPI 3.1 document, served at ``/openapi.json``.

Written as tables of operations next to nothing else, so a reviewer reads the whole
API in one place; each area of the issuer contributes its table (see `_sections`), and a
test checks the document against the app's routes both ways. Page routes (HTML) are
listed too, tagged ``pages``, so nothing the service answers is undocumented.
"""

from __future__ import annotations

import re
from typing import Any

from issuer.errors import ErrorCode

__all__ = ["CORE", "Op", "openapi_document", "path_template"]

#: (method, path, who may call it, summary, success status, error statuses)
Op = tuple[str, str, str, str, int, tuple[int, ...]]

_AUTH: dict[str, list[dict[str, list[str]]]] = {
    "public": [],
    "admin": [{"adminToken": []}],
    "device": [{"deviceToken": []}],
    "session": [{"applicantSession": []}],
    "officer": [{"officerSession": []}],
    "verifier": [{"verifierToken": []}],
}

CORE: tuple[Op, ...] = (
    ("get", "/.well-known/permit-keys.json", "public", "The public key set (ETag, If-None-Match)", 200, ()),
    ("get", "/v1/status-list", "public", "The signed status list (ETag, If-None-Match)", 200, ()),
    ("get", "/healthz", "public", "Liveness and registry reachability", 200, (503,)),
    ("get", "/openapi.json", "public", "This document", 200, ()),
    ("get", "/", "public", "Redirect to the holder page", 307, ()),
    ("get", "/holder", "public", "Redirect to the holder page", 307, ()),
    ("get", "/holder/", "public", "The holder's page (HTML)", 200, ()),
    ("get", "/holder/sw.js", "public", "The holder page's service worker", 200, ()),
    ("get", "/holder/manifest.webmanifest", "public", "The holder page's web app manifest", 200, ()),
    ("get", "/vendor/qrcode.js", "public", "QR drawing library", 200, ()),
    ("get", "/vendor/jsQR.js", "public", "QR reading library", 200, ()),
    ("post", "/v1/holder/enrol", "public", "Trade a one-time enrolment code for a device token", 201, (400, 429)),
    ("get", "/v1/holder/live", "device",
     "The live code for the current period (?svg=1 adds an SVG; ?disclose= the holder's choice for a business)",
     200, (400, 401, 409)),
    ("get", "/v1/holder/pass", "device", "A signed offline pass with its TOTP parameters", 200, (401, 409)),
    ("get", "/v1/holder/credential", "device", "What the holder page shows next to the code", 200, (401,)),
    ("post", "/v1/holder/device-key", "device", "Register this phone's WebCrypto public key (Ed25519 or P-256)", 201,
     (400, 401, 409)),
    ("get", "/v1/holder/device-pass", "device", "A device-bound pass for the registered key", 200, (401, 409)),
    ("get", "/v1/holder/devices", "device", "The holder's phones: label, enrolled, last used", 200, (401,)),
    ("post", "/v1/holder/devices/{device_id}/remove", "device", "Remove one of the holder's phones at once", 200,
     (401, 404)),
    ("post", "/v1/holder/lost", "device", "Lost phone (挂失): remove every phone but this one", 200, (401,)),
    ("get", "/v1/holder/checks", "device", "Who checked my permit: the permit's checks, newest first", 200, (401,)),
    ("post", "/v1/check-records", "verifier", "A verifier pushes its records of checks (sealed references)", 200,
     (400, 401)),
    ("post", "/admin/import", "admin", "Import a legacy export (CSV/XLSX body)", 200, (400, 401, 413)),
    ("post", "/admin/credentials", "admin", "Issue a credential", 201, (400, 401, 409)),
    ("get", "/admin/credentials", "admin", "Search credentials (id_number, card_number, name)", 200, (400, 401)),
    ("get", "/admin/credentials/{cred_id}", "admin", "One credential (the read is audited)", 200, (401, 404)),
    ("post", "/admin/credentials/{cred_id}/endorse", "admin", "签注: extend by a year", 200, (401, 404, 409)),
    ("post", "/admin/credentials/{cred_id}/change", "admin", "变更: new address or district", 200, (400, 401, 404, 409)),
    ("post", "/admin/credentials/{cred_id}/suspend", "admin", "Suspend", 200, (401, 404, 409)),
    ("post", "/admin/credentials/{cred_id}/reinstate", "admin", "Reinstate", 200, (401, 404, 409)),
    ("post", "/admin/credentials/{cred_id}/revoke", "admin", "Revoke (with a reason)", 200, (400, 401, 404, 409)),
    ("post", "/admin/credentials/{cred_id}/convert", "admin", "卡换证: registration card to permit", 200, (401, 404, 409)),
    ("post", "/admin/credentials/{cred_id}/enrolment", "admin", "A one-time enrolment code", 201, (401, 404, 409)),
    ("get", "/admin/credentials/{cred_id}/devices", "admin", "Enrolled devices", 200, (401, 404)),
    ("get", "/admin/credentials/{cred_id}/audit", "admin", "Audit entries", 200, (401, 404)),
    ("get", "/admin/credentials/{cred_id}/slip", "admin", "The paper slip (HTML, or PDF with ?format=pdf)", 200,
     (401, 404, 409, 503)),
    ("post", "/admin/devices/{device_id}/revoke", "admin", "Revoke one device", 200, (401, 404, 409)),
)


def _sections() -> tuple[tuple[str, tuple[Op, ...]], ...]:
    from issuer.apply.openapi_ops import ADMIN_OPS, API_OPS, PAGE_OPS
    from issuer.console.openapi_ops import CONSOLE_OPS
    from keys.browser import modules

    lib = tuple(("get", url, "public", "Wire-format module for the holder page", 200, ()) for url in modules())
    return (("issuer", CORE + lib), ("apply", API_OPS), ("apply-admin", ADMIN_OPS), ("pages", PAGE_OPS),
            ("console", CONSOLE_OPS))





#: query parameters of the operations that take any, by (method, path)
QUERY_PARAMETERS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("get", "/v1/holder/live"): [
        {"name": "svg", "in": "query", "required": False, "schema": {"type": "string", "enum": ["1", "true"]},
         "description": "add a server-drawn SVG of the QR code"},
        {"name": "disclose", "in": "query", "required": False,
         "schema": {"type": "string", "pattern": "^((name|id_tail)(,(name|id_tail))?)?$"},
         "description": "the fields (keys.vocabulary.Disclosure) the holder agrees to show a business with this "
                        "code, comma-separated, each at most once; empty: validity only; absent: no choice "
                        "(a business sees what it always has). Anything else: 400 INVALID_DISCLOSURE"},
    ],
}


def _edge_statuses(method: str, path: str, auth: str, tag: str) -> tuple[int, ...]:
    """What the shared HTTP edge may answer before an operation runs (keys.edge), documented once here.

    A caller without valid credentials gets 401 (403 for a session without its CSRF
    header or role, or an officer's admin token whose role may not do the act); a body that is not JSON 415, one too large 413, one that does not
    parse 400; a path parameter that is no identifier 400, one naming nothing 404.
    """
    statuses: list[int] = []
    if auth != "public":
        statuses.append(401)
        if auth in ("session", "officer", "admin"):
            statuses.append(403)
    if method in ("post", "put", "patch", "delete"):
        statuses += [400, 413] + ([415] if tag != "pages" else [403])  # page forms carry a CSRF token
    if "{" in path:
        statuses += [400, 404]  # a path parameter that is no identifier, or names nothing
    return tuple(statuses)


def _operation(tag: str, op: Op) -> dict[str, Any]:
    method, path, auth, summary, success, errors = op
    responses: dict[str, Any] = {str(success): {"description": "success"}}
    for status in sorted(set(errors) | set(_edge_statuses(method, path, auth, tag))):
        responses[str(status)] = {"description": "refused",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    params = [{"name": part[1:-1].split(":")[0], "in": "path", "required": True, "schema": {"type": "string"}}
              for part in path.split("/") if part.startswith("{")]
    params += QUERY_PARAMETERS.get((method, path), [])
    body: dict[str, Any] = {"tags": [tag], "summary": summary, "security": _AUTH[auth], "responses": responses}
    if params:
        body["parameters"] = params
    if method in ("post", "put", "patch") and tag != "pages":
        body["requestBody"] = {"required": False, "content": {
            "application/json": {"schema": {"type": "object"}},
            **({"multipart/form-data": {"schema": {"type": "object"}}} if "evidence" in path else {})}}
    return body


def path_template(path: str) -> str:
    """An OpenAPI path template: ``{task_id:int}`` becomes ``{task_id}``."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for tag, ops in _sections():
        for op in ops:
            paths.setdefault(path_template(op[1]), {})[op[0]] = _operation(tag, op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Beijing residence permit issuer", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {
                "Message": {"type": "object", "required": ["zh", "en"],
                            "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}},
                "Error": {"type": "object", "required": ["error", "message"], "properties": {
                    "error": {"type": "string", "description": "stable code, e.g. " + ", ".join(c.value for c in ErrorCode)},
                    "message": {"$ref": "#/components/schemas/Message"},
                    "field": {"type": "string", "description": "the form field a refusal belongs to"},
                    "problems": {"type": "object", "description": "APPLICATION_INCOMPLETE: a message per field"}}},
            },
            "securitySchemes": {
                "adminToken": {"type": "http", "scheme": "bearer", "description": "an officer's own token (ot_..., acts recorded under the officer's name, within the role) or the deployment's admin token"},
                "deviceToken": {"type": "http", "scheme": "bearer", "description": "a holder phone's device token"},
                "verifierToken": {"type": "http", "scheme": "bearer",
                                  "description": "a verifier's token for pushing check records (ISSUER_VERIFIERS_FILE)"},
                "officerSession": {"type": "apiKey", "in": "cookie", "name": "console_session",
                                   "description": "an officer's console session"},
                "applicantSession": {"type": "apiKey", "in": "cookie", "name": "apply_session",
                                     "description": "the applicant's session; writes also need X-CSRF-Token"},
            },
        },
    }
