"""The /scan routes: the page, its files, and the generated documents."""

from __future__ import annotations

import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import BaseRoute

import scanner_app
from keys.districts import DISTRICTS
from keys.reasons import REASONS_BY_CODE
from scanner_app import ScannerPolicy
from tests.fixtures.browser import module_graph


@pytest.fixture
def serve(live_server):
    """Factory: an httpx client on a live server of the scanner routes."""
    clients: list[httpx.Client] = []

    def make(policy: ScannerPolicy | None = None) -> httpx.Client:
        c = httpx.Client(base_url=live_server(Starlette(routes=scanner_app.routes(policy))))
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(serve) -> httpx.Client:
    return serve()


def test_routes_are_starlette_routes_under_scan_business_and_lib():
    routes = scanner_app.routes()
    assert routes and all(isinstance(r, BaseRoute) for r in routes)
    assert all(getattr(r, "path").startswith(("/scan", "/business", "/lib/")) for r in routes)


def test_business_pages_are_served_with_the_strict_policy(client):
    for path in ("/business", "/business/keys"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
        assert '<html lang="zh-CN">' in r.text
        assert "script-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/business/business.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/business/nothing.js").status_code == 404


def test_page_is_served_with_a_strict_policy(client):
    for path in ("/scan", "/scan/"):
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert '<html lang="zh-CN">' in r.text
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "camera=(self)" in r.headers["permissions-policy"]


def test_messages_are_generated_from_keys(client):
    r = client.get("/scan/messages.json")
    assert r.status_code == 200
    doc = r.json()
    assert set(doc["reasons"]) == set(REASONS_BY_CODE)
    assert doc["reasons"]["REPLAYED"]["zh"] == REASONS_BY_CODE["REPLAYED"].message.zh
    assert doc["reasons"]["REPLAYED"]["tone"] == "refused" and doc["reasons"]["REPLAYED"]["fault"] == "holder"
    assert doc["districts"]["6"] == {"zh": "海淀区", "en": "Haidian"}
    assert len(doc["districts"]) == len(DISTRICTS)
    assert doc["permit_types"]["1"]["zh"] == "居住证" and doc["permit_types"]["2"]["zh"] == "居住登记卡"


def test_policy_document_follows_the_policy(serve):
    doc = serve(ScannerPolicy(clock_warn_s=30, skew_steps=2)).get("/scan/config.json").json()
    assert doc["clock_warn_s"] == 30 and doc["skew_steps"] == 2
    with pytest.raises(ValueError):
        ScannerPolicy(verdict_hold_s=0)


def test_service_worker_may_control_the_page(client):
    r = client.get("/scan/sw.js")
    assert r.status_code == 200
    assert r.headers["service-worker-allowed"] == "/scan"
    assert r.headers["content-type"].startswith("text/javascript")
    for url in ("/vendor/jsQR.js", "/v1/keyset", "/v1/status-list", "/scan/manifest.webmanifest"):
        assert f"'{url}'" in r.text


def test_service_worker_keeps_every_module_of_the_page(client):
    """Offline, the page loads only what the worker kept: every module app.js imports, to the last."""
    shell = client.get("/scan/sw.js").text
    modules = module_graph("/scan/app.js", lambda path: client.get(path).raise_for_status().text)
    assert {"/scan/app.js", "/scan/offline-check.js", "/lib/wire.js", "/lib/base45.js"} <= modules
    assert [m for m in sorted(modules) if f"'{m}'" not in shell] == []


def test_manifest_makes_the_app_installable(client):
    r = client.get("/scan/manifest.webmanifest")
    assert r.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(r.content)
    assert manifest["start_url"] == "/scan" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        icon_response = client.get(icon["src"])
        assert icon_response.status_code == 200
        assert icon_response.headers["content-type"] == "image/svg+xml"


def test_etag_revalidation_and_head(client):
    r = client.get("/scan/app.js")
    etag = r.headers["etag"]
    assert r.headers["cache-control"] == "no-cache"
    again = client.get("/scan/app.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    head = client.head("/scan/offline-check.js")
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize("path", ["/scan/../pyproject.toml", "/scan/%2e%2e/keys/wire.py", "/scan/index.html", "/scan/nope.js", "/scan/static/app.js"])
def test_only_listed_files_are_served(client, path):
    assert client.get(path).status_code == 404
