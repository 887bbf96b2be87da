"""The HTTP edge under attack: wrong content types, two Authorization headers, methods not offered."""

from __future__ import annotations

from tests.verifier.service_kit import BUSINESS_KEY, OFFICIAL_KEY


def test_a_body_that_is_not_json_is_refused(make_verifier, issuer):
    v = make_verifier()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = v.client.post("/v1/verify", content=f'{{"code":"{issuer.minted()}"}}'.encode(),
                                 headers={"Authorization": f"Bearer {OFFICIAL_KEY}", "content-type": content_type})
        assert response.status_code == 415 and response.json()["error"] == "UNSUPPORTED_MEDIA_TYPE"


def test_two_authorization_headers_are_refused_not_guessed(make_verifier, issuer):
    v = make_verifier()
    code = issuer.minted()
    both = [("Authorization", f"Bearer {BUSINESS_KEY}"), ("Authorization", f"Bearer {OFFICIAL_KEY}")]
    for headers in (both, both[::-1]):
        response = v.client.post("/v1/verify", json={"code": code}, headers=headers)
        assert response.status_code == 400 and response.json()["error"] == "DUPLICATE_AUTHORIZATION"
    assert v.verify(code).json()["reason"] == "VALID"  # the refused requests did not use the code


def test_methods_not_offered(make_verifier):
    v = make_verifier()
    for method, path in (("DELETE", "/v1/verify"), ("PUT", "/v1/verify/batch"), ("POST", "/v1/time")):
        response = v.client.request(method, path)
        assert response.status_code == 405 and response.headers["allow"]
        assert method not in response.headers["allow"]
    assert set(v.client.options("/v1/verify").headers["allow"].split(", ")) == {"OPTIONS", "POST"}
