"""Time, health, metrics, OpenAPI, offline scan uploads, and hostile requests."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families
from starlette.routing import Route

from keys.reasons import REASONS

from .service_kit import AUDIT_KEY, BUSINESS_KEY, OFFICIAL_KEY

AUTH = {"Authorization": f"Bearer {OFFICIAL_KEY}"}


def test_time_is_the_injected_clock(make_verifier, clock):
    v = make_verifier(skew_steps=2, period_s=15)
    body = v.client.get("/v1/time").json()
    assert body == {"now": clock(), "iso": "2026-11-23T02:13:20.000Z", "period_s": 15, "skew_steps": 2}
    clock.advance(0.5)
    assert v.client.get("/v1/time").json()["now"] == clock()


def test_health(make_verifier):
    v = make_verifier()
    response = v.client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["problems"] == [] and body["store"] == "memory"
    assert body["keyset_keys"] == 1 and body["status_age_s"] == 0


def test_metrics_count_verdicts_and_latency(make_verifier, issuer):
    v = make_verifier()
    v.verify(issuer.minted())
    v.verify("RP:1")
    v.verify("RP:1")
    v.batch([issuer.paper()])
    v.client.post("/v1/verify", json={"code": "x"})  # 401
    response = v.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    samples = _samples(text)
    assert samples[("verifier_verifications_total", (("mode", "MINTED"), ("reason", "VALID")))] == 1
    assert samples[("verifier_verifications_total", (("mode", "PAPER"), ("reason", "VALID")))] == 1
    assert samples[("verifier_verifications_total", (("mode", "none"), ("reason", "MALFORMED")))] == 2
    assert samples[("verifier_verifications_total", (("mode", "none"), ("reason", "REVOKED")))] == 0  # every reason listed
    assert "# TYPE verifier_verify_duration_seconds histogram" in text
    assert samples[("verifier_verify_duration_seconds_bucket", (("endpoint", "verify"), ("le", "+Inf")))] == 3
    assert samples[("verifier_verify_duration_seconds_count", (("endpoint", "batch"),))] == 1
    assert samples[("verifier_events_total", (("event", "unauthorized"),))] == 1
    assert samples[("verifier_http_responses_total", (("status", "401"),))] == 1
    assert samples[("verifier_status_age_seconds", ())] == 0
    for line in text.splitlines():  # every sample line is "name{labels} value"
        if line and not line.startswith("#"):
            assert re.fullmatch(r'[a-z_]+(\{[^}]*\})? (-?[0-9.e+-]+|NaN)', line), line


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape by (name, sorted labels), read by prometheus-client's own parser."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_openapi_lists_every_route(make_verifier):
    v = make_verifier()
    doc = v.client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    routes = {(r.path, m.lower()) for r in v.app.routes if isinstance(r, Route) for m in (r.methods or ()) if m != "HEAD"}
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert routes <= documented
    api = {"/v1/verify", "/v1/verify/batch", "/v1/scans", "/v1/session", "/v1/keyset", "/v1/status-list", "/v1/time", "/healthz", "/metrics", "/openapi.json"}
    assert api <= set(doc["paths"])
    assert {"get", "post", "delete"} == set(doc["paths"]["/v1/session"])
    assert doc["components"]["schemas"]["Verdict"]["properties"]["reason"]["enum"] == list(REASONS)


def test_unknown_paths_and_methods_answer_json(make_verifier):
    v = make_verifier()
    missing = v.client.get("/v2/nothing")
    assert missing.status_code == 404 and missing.json()["error"] == "NOT_FOUND"
    wrong = v.client.get("/v1/verify")
    assert wrong.status_code == 405 and wrong.json()["error"] == "METHOD_NOT_ALLOWED"


def _scan(**fields):
    record = {
        "scanned_at": "2026-11-23T02:10:00.000Z",
        "reason": "VALID",
        "mode": "MINTED",
        "offline": True,
        "device": "a1b2c3d4e5f60718",
        "cred_ref_hash": hashlib.sha256((4242).to_bytes(3, "big")).hexdigest(),
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not ...}


def test_offline_scans_join_the_audit_log(make_verifier, issuer):
    v = make_verifier()
    v.verify(issuer.minted())  # the online verdict for the same credential
    records = [
        _scan(),
        _scan(reason="REVOKED", mode=None, cred_ref_hash=None, scanned_at=1795400000.0 - 60),
        _scan(reason="NOT_A_REASON"),
        _scan(offline=False),
        _scan(device=""),
        _scan(scanned_at="yesterday"),
        _scan(scanned_at="2020-01-01T00:00:00Z"),
        _scan(scanned_at="2026-11-23T02:10:00"),
        _scan(cred_ref_hash="zz"),
        _scan(name="张伟"),
        "not an object",
        _scan(mode="OTHER"),
    ]
    response = v.client.post("/v1/scans", json={"records": records}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 2
    assert [r["index"] for r in body["rejected"]] == list(range(2, 12))
    assert all(isinstance(r["error"], str) and r["error"] for r in body["rejected"])
    lines = v.audit_lines()
    online, offline, offline_revoked = lines
    assert offline["offline"] is True and offline["device"] == "a1b2c3d4e5f60718"
    assert offline["at"] == "2026-11-23T02:10:00.000Z" and offline["received_at"] == "2026-11-23T02:13:20.000Z"
    assert offline["cred_ref"] == online["cred_ref"]  # online and offline records of one credential match
    assert online["cred_ref"] == hmac.new(AUDIT_KEY, hashlib.sha256((4242).to_bytes(3, "big")).digest(), hashlib.sha256).hexdigest()
    assert offline_revoked["cred_ref"] is None and offline_revoked["reason"] == "REVOKED"
    assert "张伟" not in v.config.audit_file.read_text(encoding="utf-8")


def test_offline_scan_uploads_are_bounded(make_verifier):
    v = make_verifier(scans_max_records=3)
    assert v.client.post("/v1/scans", json={"records": [_scan()] * 4}, headers=AUTH).json()["error"] == "TOO_MANY_RECORDS"
    assert v.client.post("/v1/scans", json={"records": [_scan()] * 4}, headers=AUTH).status_code == 413
    assert v.client.post("/v1/scans", json={"records": {}}, headers=AUTH).status_code == 400
    assert v.client.post("/v1/scans", json={"records": [_scan()]}).status_code == 401
    business = v.client.post("/v1/scans", json={"records": [_scan()]}, headers={"Authorization": f"Bearer {BUSINESS_KEY}"})
    assert business.status_code == 200 and v.audit_lines()[-1]["role"] == "business"


# -- hostile input --------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
_bodies = st.one_of(
    st.binary(max_size=300),
    _json_values.map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.sampled_from(["code", "codes", "records", "api_key", "x"]), _json_values, max_size=3).map(
        lambda value: json.dumps(value).encode()
    ),
)
_POSTS = ["/v1/verify", "/v1/verify/batch", "/v1/scans", "/v1/session"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(_POSTS), body=_bodies, authenticated=st.booleans())
def test_random_bodies_never_cause_a_500(make_verifier_once, path, body, authenticated):
    v = make_verifier_once
    headers = {**(AUTH if authenticated else {}), "Content-Type": "application/json"}
    response = v.client.post(path, content=body, headers=headers)
    assert response.status_code in (200, 400, 401, 403, 413), (response.status_code, body)
    payload = response.json()
    assert isinstance(payload, dict)
    if response.status_code == 200:
        assert path != "/v1/verify" or payload["reason"] in REASONS
    else:
        assert payload["error"] and payload["message"]["en"]


def test_hostile_headers_never_cause_a_500(make_verifier):
    v = make_verifier()
    cases = [
        {"Authorization": "Bearer " + "x" * 10_000},
        {"Authorization": b"Bearer \xff\xfe"},
        {"Content-Length": "abc"},
        {"Cookie": "verifier_session=" + "y" * 5000},
        {"Cookie": b"verifier_session=\xc3\xa9", "X-Requested-With": "scanner"},
        {"Cookie": "verifier_session=abc", "X-Requested-With": "scanner"},
    ]
    for headers in cases:
        response = v.client.post("/v1/verify", content=b'{"code": "RP:1"}',
                                 headers={**headers, "Content-Type": "application/json"})
        assert response.status_code in (400, 401, 403), headers
    twice = v.client.post("/v1/verify", json={"code": "RP:1"},
                          headers=[("Authorization", f"Bearer {OFFICIAL_KEY}"), ("Authorization", "Bearer other")])
    assert twice.status_code == 400 and twice.json()["error"] == "DUPLICATE_AUTHORIZATION"


def test_allow_lists_every_method_of_a_path(make_verifier):
    v = make_verifier()
    refused = v.client.put("/v1/session")
    assert refused.status_code == 405 and refused.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, POST"
    options = v.client.options("/v1/session")
    assert options.status_code == 204 and options.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, POST"
    assert v.client.options("/v1/verify").headers["allow"] == "OPTIONS, POST"
