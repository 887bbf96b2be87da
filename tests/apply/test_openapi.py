"""/openapi.json describes exactly the routes the issuer answers."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from issuer.openapi import path_template

from tests.issuer.app_helpers import TestClient


def test_document_and_routes_match_both_ways(client: TestClient, app: Any) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    routes = {(path_template(r.path), m.lower()) for r in app.routes if isinstance(r, Route)
              for m in (r.methods or ()) if m != "HEAD"}
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert routes == documented
    session = doc["paths"]["/apply/api/v1/session"]
    assert set(session) == {"post", "delete"} and "429" in session["post"]["responses"]
    assert doc["paths"]["/apply/api/v1/applications"]["get"]["security"] == [{"applicantSession": []}]
    assert "multipart/form-data" in doc["paths"]["/apply/api/v1/applications/{app_id}/evidence"]["post"]["requestBody"]["content"]
