"""The short way through ``POST /v1/verify`` answers exactly as the route it stands in for."""

from __future__ import annotations

import json

import pytest

from keys.edge.static import SECURITY_HEADERS

from .service_kit import BUSINESS_KEY, OFFICIAL_KEY

AUTH = {"Authorization": f"Bearer {OFFICIAL_KEY}"}


def test_the_hot_request_gets_the_routes_answer_and_headers(make_verifier, issuer):
    v = make_verifier()
    response = v.verify(issuer.minted())
    assert response.status_code == 200 and response.json()["reason"] == "VALID"
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert int(response.headers["content-length"]) == len(response.content)
    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()
    business = v.verify(issuer.minted(), key=BUSINESS_KEY).json()
    assert business["valid"] and "name" not in json.dumps(business["claims"])  # the caller's role applies
    metrics = v.client.get("/metrics").text
    assert 'verifier_http_responses_total{status="200"} 2.0' in metrics
    assert 'verifier_verify_duration_seconds_count{endpoint="verify"} 2.0' in metrics


@pytest.mark.parametrize("body, headers, status, error", [
    (b'{"code": 5}', {}, 400, "INVALID_INPUT"),
    (b'["RP:1"]', {}, 400, "INVALID_INPUT"),
    (b'{"code"', {}, 400, "INVALID_JSON"),
    (b'{"code": "RP:1"}', {"content-type": "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"),
    (b'{"code": "' + b"A" * 300_000 + b'"}', {}, 413, "PAYLOAD_TOO_LARGE"),
    (b'{"code": "RP:1"}', {"authorization": "Bearer vk_unknown"}, 401, "UNAUTHORIZED"),
    (b'{"code": "RP:1"}', {"authorization": "Basic abc"}, 401, "UNAUTHORIZED"),
])
def test_anything_else_is_answered_by_the_route(make_verifier, body, headers, status, error):
    v = make_verifier()
    sent = {"content-type": "application/json", "authorization": f"Bearer {OFFICIAL_KEY}", **headers}
    response = v.client.post("/v1/verify", content=body, headers=sent)
    assert response.status_code == status and response.json()["error"] == error


def test_two_authorization_headers_are_refused(make_verifier, issuer):
    v = make_verifier()
    response = v.client.post("/v1/verify", content=json.dumps({"code": issuer.minted()}),
                             headers=[("content-type", "application/json"), ("authorization", f"Bearer {OFFICIAL_KEY}"),
                                      ("authorization", f"Bearer {BUSINESS_KEY}")])
    assert response.json()["error"] == "DUPLICATE_AUTHORIZATION"


def test_a_caller_over_its_limit_gets_429(make_verifier, issuer):
    v = make_verifier(rate_per_s=0.001, rate_burst=1)
    assert v.verify(issuer.minted()).status_code == 200
    refused = v.verify(issuer.minted())
    assert refused.status_code == 429 and refused.json()["error"] == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) >= 1
