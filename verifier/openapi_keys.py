"""The OpenAPI entries of key self-service (``/v1/keys``, ``verifier.http.keys_api``).

Kept beside ``verifier.openapi`` (which merges them) so each module stays small.
"""

from __future__ import annotations

from typing import Any, Callable

_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"sessionCookie": []}]


def key_schemas() -> dict[str, Any]:
    time_or_null = {"type": ["string", "null"], "format": "date-time"}
    return {
        "KeySummary": {
            "type": "object",
            "description": "A key of the organisation, never its hash; revoked keys stay listed with who revoked them.",
            "properties": {
                "name": {"type": "string", "example": "lianjia-hd.front-desk"},
                "role": {"type": "string", "enum": ["official", "business"]},
                "organisation": {"type": ["string", "null"]},
                "admin": {"type": "boolean", "description": "manages the organisation's keys"},
                "created_at": time_or_null,
                "created_by": {"type": ["string", "null"], "description": "the key, or operator:<login>, that made it"},
                "revoked_at": time_or_null,
                "revoked_by": {"type": ["string", "null"]},
            },
        },
    }


def key_paths(ref: Callable[[str], dict[str, str]], json: Callable[[dict[str, Any], str], dict[str, Any]],
              errors: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """``/v1/keys`` and ``/v1/keys/{name}``, with the helpers of ``verifier.openapi``."""
    listing = {
        "type": "object",
        "properties": {
            "organisation": {"type": "object", "properties": {
                "id": {"type": "string"}, "name_zh": {"type": "string"}, "name_en": {"type": "string"},
                "role": {"type": "string"}}},
            "you": {"type": "string", "description": "the admin key making the request"},
            "keys": {"type": "array", "items": ref("KeySummary")},
        },
    }
    created = {"allOf": [ref("KeySummary"), {"type": "object", "required": ["key"], "properties": {
        "key": {"type": "string", "description": "the plain key: shown in this answer only, never again"}}}]}
    return {
        "/v1/keys": {
            "get": {
                "summary": "The caller's organisation and its keys (an organisation's admin key)",
                "security": _SECURITY,
                "responses": {"200": json(listing, "the organisation's keys"), **errors(401, 403, 429)},
            },
            "post": {
                "summary": "Create a key of the caller's organisation, named <organisation>.<name>, made by the caller",
                "security": _SECURITY,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"}}}}}},
                "responses": {"201": json(created, "the new key, shown once (Cache-Control: no-store)"),
                              **errors(400, 401, 403, 409, 413, 429)},
            },
        },
        "/v1/keys/{name}": {
            "delete": {
                "summary": "Revoke a key of the caller's organisation: every worker refuses it from its next request",
                "security": _SECURITY,
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": json(ref("KeySummary"), "revoked (revoking again changes nothing)"),
                              **errors(401, 403, 404, 409, 429)},
            },
        },
    }
