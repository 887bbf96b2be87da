"""The OpenAPI 3.1 description served at /openapi.json.

Written out by hand rather than generated: the API is small, and a literal
document is easy to review against docs/api.md. A test checks that every
route of the app appears here.
"""

from __future__ import annotations

from typing import Any

from keys.reasons import REASONS
from keys.vocabulary import MODE_NAMES, PermitType

from keys.edge.errors import lookup

from .config import Config
from .http.errors import CODES
from .openapi_keys import key_paths, key_schemas


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status in statuses:
        codes = sorted(code for code in CODES if lookup(code).status == status)
        out[str(status)] = _json(_ref("Error"), "error: " + ", ".join(codes))
    return out


_AUTH: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"sessionCookie": []}]


def openapi_document(config: Config, extra_pages: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """The document; ``extra_pages`` are the mounted scanner app's paths (HTML and scripts)."""
    text = {"type": "object", "required": ["zh", "en"], "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}
    district = {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "zh": {"type": ["string", "null"]}, "en": {"type": ["string", "null"]}},
    }
    permit_type = {
        "type": "object",
        "properties": {
            "code": {"type": "integer", "enum": [int(t) for t in PermitType]},
            "type": {"type": "string", "enum": [t.name for t in PermitType] + ["UNKNOWN"]},
            "zh": {"type": ["string", "null"]},
            "en": {"type": ["string", "null"]},
        },
    }
    schemas: dict[str, Any] = {
        "Message": text,
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string", "enum": sorted(CODES)},
                "message": _ref("Message"),
                "detail": {"type": "string"},
            },
        },
        "OfficialClaims": {
            "type": "object",
            "description": "What an official key sees (also for a refused code whose signature verified).",
            "properties": {
                "name": {"type": "string"},
                "id_number_masked": {"type": "string", "example": "**************1234"},
                "id_tail": {"type": "string", "example": "1234"},
                "district": district,
                "permit_type": permit_type,
                "valid_until": {"type": "string", "format": "date"},
            },
        },
        "BusinessClaims": {
            "type": "object",
            "description": "What a business key sees, for valid codes only.",
            "properties": {"district": district, "permit_type": permit_type, "valid_until": {"type": "string", "format": "date"}},
        },
        "Verdict": {
            "type": "object",
            "required": ["valid", "reason", "message", "mode", "claims", "checked_at", "status_age_s", "requires_id_check"],
            "properties": {
                "valid": {"type": "boolean"},
                "reason": {"type": "string", "enum": list(REASONS)},
                "message": _ref("Message"),
                "mode": {"type": ["string", "null"], "enum": [*MODE_NAMES.values(), None]},
                "claims": {"oneOf": [_ref("OfficialClaims"), _ref("BusinessClaims"), {"type": "null"}]},
                "disclosed": {
                    "type": "object", "additionalProperties": False,
                    "properties": {"name": {"type": "string"}, "id_tail": {"type": "string"}},
                    "description": "business role, valid code whose holder chose what to show (wire v2 disclose): "
                                   "exactly the chosen fields ({} for validity only); absent without a choice",
                },
                "checked_at": {"type": "string", "format": "date-time"},
                "status_age_s": {"type": ["number", "null"]},
                "requires_id_check": {"type": "boolean"},
            },
        },
        "Session": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "role": {"type": "string", "enum": ["official", "business"]},
                "expires_at": {"type": "string", "format": "date-time"},
                "display_name": {"type": "string", "description": "an officer's name; a key's registered organisation and name; else the key's name"},
            },
        },
        "ScanRecord": {
            "type": "object",
            "required": ["scanned_at", "reason", "offline", "device"],
            "additionalProperties": False,
            "properties": {
                "scanned_at": {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "number"}]},
                "reason": {"type": "string", "enum": list(REASONS)},
                "mode": {"type": ["string", "null"], "enum": [*MODE_NAMES.values(), None]},
                "cred_ref_hash": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$", "description": "hex SHA-256 of the credential reference (status-list index, big-endian in 3 bytes, 4 from 2^24 on)"},
                "offline": {"type": "boolean", "const": True},
                "device": {"type": "string", "minLength": 1, "maxLength": 64},
            },
        },
    }
    verdict_responses = {
        "200": _json(_ref("Verdict"), "a verdict (valid or refused)"),
        "503": _json(_ref("Verdict"), "verdict SERVICE_UNAVAILABLE or STATUS_STALE (retry); or error SERVICE_UNAVAILABLE"),
        **_errors(400, 401, 403, 413, 429),
    }
    public_doc = {
        "200": {"description": "the document exactly as fetched from the issuer", "content": {"application/json": {}}},
        "304": {"description": "not modified (If-None-Match matched the ETag)"},
        **_errors(503),
    }
    paths: dict[str, Any] = {
        "/v1/verify": {
            "post": {
                "summary": "Verify one scanned code",
                "security": _AUTH,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}}}},
                },
                "responses": verdict_responses,
            }
        },
        "/v1/verify/batch": {
            "post": {
                "summary": f"Verify up to {config.batch_max} codes at once (one Redis round trip for their replay claims)",
                "security": _AUTH,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["codes"],
                                "properties": {"codes": {"type": "array", "maxItems": config.batch_max, "items": {"type": "string"}}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "count": {"type": "integer"},
                                "results": {"type": "array", "items": _ref("Verdict")},
                                "status_age_s": {"type": ["number", "null"]},
                            },
                        },
                        "one verdict per code, in order",
                    ),
                    "503": {"description": "at least one verdict is SERVICE_UNAVAILABLE or STATUS_STALE (body as for 200)"},
                    **_errors(400, 401, 403, 413, 429),
                },
            }
        },
        "/v1/scans": {
            "post": {
                "summary": f"Record offline verdicts from a handheld (up to {config.scans_max_records} per upload)",
                "security": _AUTH,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["records"],
                                "properties": {"records": {"type": "array", "maxItems": config.scans_max_records, "items": _ref("ScanRecord")}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "accepted": {"type": "integer"},
                                "rejected": {
                                    "type": "array",
                                    "items": {"type": "object", "properties": {"index": {"type": "integer"}, "error": {"type": "string"}}},
                                },
                            },
                        },
                        "valid records appended to the audit log; invalid ones listed, not stored",
                    ),
                    **_errors(400, 401, 403, 413, 429, 503),
                },
            }
        },
        "/v1/session": {
            "post": {
                "summary": "Sign a handheld in with an official API key or an officer account (checked by the issuer), or the business page with a business key; sets the session cookie",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"oneOf": [
                        {"type": "object", "required": ["api_key"], "properties": {
                            "api_key": {"type": "string"},
                            "role": {"type": "string", "enum": ["official", "business"], "default": "official",
                                     "description": "the page signing in: the officials' scanner or the business page; the key must have this role"}}},
                        {"type": "object", "required": ["officer", "password", "otp"],
                         "properties": {"officer": {"type": "string"}, "password": {"type": "string"}, "otp": {"type": "string"}}},
                    ]}}},
                },
                "responses": {"200": _json(_ref("Session"), "signed in; Set-Cookie verifier_session (HttpOnly, SameSite=Strict)"), **_errors(400, 401, 403, 413, 429, 503)},
            },
            "get": {
                "summary": "The signed-in identity of this cookie",
                "security": [{"sessionCookie": []}],
                "responses": {"200": _json(_ref("Session"), "signed in"), **_errors(401)},
            },
            "delete": {
                "summary": "Sign out (needs X-Requested-With: scanner when a cookie is sent)",
                "security": [{"sessionCookie": []}],
                "responses": {"200": _json({"type": "object", "properties": {"signed_out": {"type": "boolean"}}}, "cookie cleared"), **_errors(403)},
            },
        },
        "/v1/keyset": {"get": {"summary": "The issuer's public key set, as last fetched (for offline handhelds)", "responses": public_doc}},
        "/v1/status-list": {"get": {"summary": "The issuer's signed status list, as last fetched", "responses": public_doc}},
        "/v1/time": {
            "get": {
                "summary": "Server time, for the handhelds' clock check",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "now": {"type": "number", "description": "Unix seconds"},
                                "iso": {"type": "string", "format": "date-time"},
                                "period_s": {"type": "integer"},
                                "skew_steps": {"type": "integer"},
                            },
                        },
                        "the time",
                    )
                },
            }
        },
        "/healthz": {
            "get": {
                "summary": "Readiness: 200 when verdicts can be given, 503 with the problems otherwise",
                "responses": {"200": {"description": "ok"}, "503": {"description": "degraded"}},
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics (text exposition format)",
                "responses": {"200": {"description": "metrics", "content": {"text/plain": {}}}},
            }
        },
        "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
    }
    schemas.update(key_schemas())
    paths.update(key_paths(_ref, _json, _errors))
    for page in extra_pages:
        app = "business page and key self-service" if page.startswith("/business") else "handheld scanner web app"
        paths.setdefault(page, {"get": {"summary": f"{app} (page or script)", "responses": {"200": {"description": "the page"}}}})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Residence permit verifier",
            "version": "1",
            "description": "Verdicts for live residence-permit QR codes. See docs/api.md.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "API key (official or business role)"},
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "verifier_session",
                    "description": "handheld session from POST /v1/session; requests that change state also need X-Requested-With: scanner",
                },
            },
        },
    }
