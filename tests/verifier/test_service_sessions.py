"""Handheld sessions: sign in with an official key once, then only a cookie."""

from __future__ import annotations

import json

from verifier.auth import key_digest, write_keys_file
from verifier.sessions import COOKIE_NAME

from .service_kit import BUSINESS_KEY, OFFICIAL_KEY

SCANNER = {"X-Requested-With": "scanner"}


def sign_in(v, key=OFFICIAL_KEY):
    return v.client.post("/v1/session", json={"api_key": key})


def test_sign_in_sets_a_strict_http_only_cookie(make_verifier, issuer, clock):
    v = make_verifier(session_ttl_s=3600)
    response = sign_in(v)
    assert response.status_code == 200
    assert response.json() == {"name": "police-1", "role": "official", "expires_at": "2026-11-23T03:13:20.000Z",
                               "display_name": "police-1"}
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "samesite=strict" in cookie.lower()
    assert "secure" not in attributes  # plain HTTP in development; VERIFIER_COOKIE_SECURE=1 behind TLS
    session_id = v.client.cookies[COOKIE_NAME]
    assert OFFICIAL_KEY not in session_id and len(session_id) >= 40
    assert v.client.get("/v1/session").json()["name"] == "police-1"

    verdict = v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER)
    assert verdict.status_code == 200 and verdict.json()["valid"] is True
    assert verdict.json()["claims"]["name"] == "张伟"  # an official session sees what an official key sees
    batch = v.client.post("/v1/verify/batch", json={"codes": [issuer.minted()]}, headers=SCANNER)
    assert batch.json()["results"][0]["valid"] is True
    assert v.audit_lines()[0]["caller"] == "police-1"


def test_cookie_requests_need_the_csrf_header(make_verifier, issuer):
    v = make_verifier()
    sign_in(v)
    for headers in ({}, {"X-Requested-With": "XMLHttpRequest"}):
        response = v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=headers)
        assert response.status_code == 403 and response.json()["error"] == "CSRF_HEADER_MISSING"
        assert v.client.post("/v1/scans", json={"records": []}, headers=headers).status_code == 403
        assert v.client.delete("/v1/session", headers=headers).status_code == 403
    assert v.client.get("/v1/session").status_code == 200  # reading who am I changes nothing


def test_only_official_keys_open_sessions(make_verifier):
    v = make_verifier()
    business = sign_in(v, BUSINESS_KEY)
    assert business.status_code == 403 and business.json()["error"] == "SCANNER_NEEDS_OFFICER"
    assert "business key" in business.json()["message"]["en"]  # says why, not "invalid key"
    assert "set-cookie" not in business.headers
    unknown = sign_in(v, "vk_wrong")
    assert unknown.status_code == 401 and "set-cookie" not in unknown.headers
    for body in ({}, {"api_key": 5}, [], "x"):
        assert v.client.post("/v1/session", json=body).status_code == 400
    assert v.client.post("/v1/session", content=b"{" * 10_000, headers={"Content-Type": "application/json"}).status_code == 413
    assert v.client.get("/v1/session").status_code == 401


def test_sign_out_and_expiry(make_verifier, issuer, clock):
    v = make_verifier(session_ttl_s=600)
    sign_in(v)
    old_cookie = v.client.cookies[COOKIE_NAME]
    out = v.client.delete("/v1/session", headers=SCANNER)
    assert out.status_code == 200 and out.json() == {"signed_out": True}
    assert COOKIE_NAME not in v.client.cookies
    v.client.cookies.set(COOKIE_NAME, old_cookie)
    assert v.client.get("/v1/session").status_code == 401  # the server forgot it, the cookie alone is nothing
    assert v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER).status_code == 401

    v.client.cookies.clear()
    sign_in(v)
    clock.advance(599)
    assert v.client.get("/v1/session").status_code == 200
    clock.advance(2)
    assert v.client.get("/v1/session").status_code == 401
    assert v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER).status_code == 401


def test_removing_the_key_ends_its_sessions_at_once(make_verifier, issuer):
    v = make_verifier()
    sign_in(v)
    assert v.client.get("/v1/session").status_code == 200
    write_keys_file(v.config.api_keys_file, [{"name": "landlord-1", "role": "business", "sha256": key_digest(BUSINESS_KEY).hex()}])
    assert v.client.get("/v1/session").status_code == 401
    assert v.verify(issuer.minted()).status_code == 401
    assert v.verify(issuer.minted(), key=BUSINESS_KEY).status_code == 200


def test_bearer_key_wins_over_a_cookie(make_verifier, issuer):
    v = make_verifier()
    sign_in(v)
    response = v.verify(issuer.minted(), key=BUSINESS_KEY)  # no CSRF header needed with a key
    assert response.status_code == 200 and "name" not in response.json()["claims"]
    assert v.audit_lines()[-1]["caller"] == "landlord-1"


def test_an_officer_signs_in_with_the_account_the_issuer_vouches_for(make_verifier, issuer, clock):
    from .service_kit import OFFICER_SIGN_IN

    v = make_verifier()
    v.tick(force=True)  # the verifier holds the issuer's key set
    wrong = v.client.post("/v1/session", json={"officer": "wang.li", "password": "guess", "otp": "123456"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "OFFICER_SIGN_IN_FAILED"
    assert "set-cookie" not in wrong.headers
    user, password, otp = OFFICER_SIGN_IN
    ok = v.client.post("/v1/session", json={"officer": user, "password": password, "otp": otp})
    assert ok.status_code == 200, ok.text
    assert ok.json()["name"] == "officer:wang.li" and ok.json()["display_name"] == "王立"
    verdict = v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER)
    assert verdict.json()["valid"] is True
    v.flush_audit()
    assert v.audit_lines()[-1]["caller"] == "officer:wang.li"  # every scan names the officer


def test_an_assertion_from_another_key_is_refused(make_verifier, issuer, clock):
    from keys.keypair import SigningKey

    from .service_kit import OFFICER_SIGN_IN

    v = make_verifier()
    v.tick(force=True)
    issuer.key = SigningKey(bytes([7]) * 32)  # assertions now signed by a key the verifier does not hold
    user, password, otp = OFFICER_SIGN_IN
    r = v.client.post("/v1/session", json={"officer": user, "password": password, "otp": otp})
    assert r.status_code == 401 and r.json()["error"] == "OFFICER_SIGN_IN_FAILED"


def test_a_session_of_an_officer_the_issuer_disables_ends_at_the_next_sync(make_verifier, issuer, clock):
    from .service_kit import OFFICER_SIGN_IN

    v = make_verifier()
    v.tick(force=True)
    user, password, otp = OFFICER_SIGN_IN
    assert v.client.post("/v1/session", json={"officer": user, "password": password, "otp": otp}).status_code == 200
    assert v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER).status_code == 200
    issuer.disabled_officers.append("officer:wang.li")
    clock.advance(1)
    # until the verifier fetches the list again, the session stands (the assertion vouched for it) ...
    assert v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER).status_code == 200
    v.tick(force=True)
    # ... then it is refused, and gone: the scanner asks the officer to sign in again
    refused = v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER)
    assert refused.status_code == 401
    issuer.disabled_officers.clear()
    v.tick(force=True)
    assert v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER).status_code == 401
