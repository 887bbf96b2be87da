"""The verification endpoints over HTTP: verdicts, roles, batches, liveness, staleness."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

import pytest

from keys.keypair import SigningKey
from keys.statuslist import REVOKED, SUSPENDED
from keys.timekeeping import step_at
from keys.totp import code_at, pass_secret
from tests.fixtures.codes import PASS_PERIOD
from keys.wire import Claims

from .service_kit import AUDIT_KEY, BUSINESS_KEY, CLAIMS, OFFICIAL_KEY, ROTATION_SECRET, FakeIssuer


def test_official_sees_the_claims_an_official_needs(make_verifier, issuer):
    v = make_verifier()
    response = v.verify(issuer.minted())
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["reason"] == "VALID" and body["mode"] == "MINTED"
    assert body["message"] == {"zh": "有效：居住证件核验通过", "en": "Valid: residence credential verified"}
    assert body["claims"] == {
        "name": "张伟",
        "id_number_masked": "**************123X",
        "id_tail": "123X",
        "district": {"code": 6, "zh": "海淀区", "en": "Haidian"},
        "permit_type": {"code": 1, "type": "RESIDENCE_PERMIT", "zh": "居住证", "en": "Residence permit"},
        "valid_until": "2027-06-30",
    }
    assert body["checked_at"] == "2026-11-23T02:13:20.000Z"
    assert datetime.fromisoformat(body["checked_at"].replace("Z", "+00:00")).timestamp() == issuer.clock()
    assert body["status_age_s"] == 0
    assert body["requires_id_check"] is False
    assert set(body) == {"valid", "reason", "message", "mode", "claims", "checked_at", "status_age_s", "requires_id_check"}


def _all_keys(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _all_keys(v)
    elif isinstance(value, list):
        for item in value:
            yield from _all_keys(item)


def test_business_never_receives_official_only_claims(make_verifier, issuer, clock):
    v = make_verifier()
    issuer.set_status(9, REVOKED)
    v.tick(force=True)
    revoked = issuer.minted(claims=CLAIMS._replace(ref=9))
    responses = [
        v.verify(issuer.minted(), key=BUSINESS_KEY),
        v.verify(issuer.paper(), key=BUSINESS_KEY),
        v.verify(revoked, key=BUSINESS_KEY),
        v.batch([issuer.minted(), issuer.offline(), "RP:XYZ"], key=BUSINESS_KEY),
    ]
    valid = responses[0].json()
    assert valid["valid"] is True
    assert valid["claims"] == {
        "district": {"code": 6, "zh": "海淀区", "en": "Haidian"},
        "permit_type": {"code": 1, "type": "RESIDENCE_PERMIT", "zh": "居住证", "en": "Residence permit"},
        "valid_until": "2027-06-30",
    }
    assert responses[2].json()["reason"] == "REVOKED" and responses[2].json()["claims"] is None
    for response in responses:
        text = response.text
        assert "张伟" not in text and "123X" not in text and "4242" not in text
        keys = set(_all_keys(response.json()))
        assert not keys & {"name", "id_number_masked", "id_tail", "ref", "status_index", "cred_id"}


def test_official_sees_who_holds_a_refused_code(make_verifier, issuer):
    v = make_verifier()
    code = issuer.minted()
    assert v.verify(code).json()["valid"] is True
    again = v.verify(code).json()
    assert again["reason"] == "REPLAYED" and again["valid"] is False
    assert again["claims"]["name"] == "张伟"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer vk_not-a-key"}, {"Authorization": "Basic " + OFFICIAL_KEY}, {"Authorization": "Bearer"}],
)
def test_missing_or_unknown_key_gets_401_and_no_verdict(make_verifier, issuer, headers):
    v = make_verifier()
    for path, body in (("/v1/verify", {"code": issuer.minted()}), ("/v1/verify/batch", {"codes": [issuer.minted()]})):
        response = v.client.post(path, json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "UNAUTHORIZED"
        assert "valid" not in response.json() and "results" not in response.json()
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_rate_limit_per_key(make_verifier, issuer, clock):
    v = make_verifier(rate_per_s=1.0, rate_burst=3)
    assert [v.verify("RP:1").status_code for _ in range(3)] == [200, 200, 200]
    limited = v.verify("RP:1")
    assert limited.status_code == 429
    assert limited.json()["error"] == "RATE_LIMITED"
    assert limited.headers["retry-after"] == "1"
    assert v.verify("RP:1", key=BUSINESS_KEY).status_code == 200  # another key has its own bucket
    clock.advance(1.0)
    assert v.verify("RP:1").status_code == 200
    assert v.verify("RP:1").status_code == 429


def test_batch_of_mixed_codes(make_verifier, issuer, clock):
    v = make_verifier()
    issuer.set_status(77, SUSPENDED)
    issuer.set_status(78, REVOKED)
    v.tick(force=True)
    stranger = FakeIssuer(clock, key=SigningKey(bytes([3]) * 32))
    fresh = issuer.minted()
    used = issuer.minted()
    assert v.verify(used).json()["valid"]
    codes = [
        fresh,
        "not a code",
        used,
        issuer.minted(claims=CLAIMS._replace(ref=77)),
        issuer.minted(claims=CLAIMS._replace(ref=78)),
        issuer.paper(),
        stranger.minted(),
        issuer.minted(at=clock() - 120),
        issuer.offline(),
        fresh,  # the same code twice in one batch: the second is a replay
        issuer.minted(claims=CLAIMS._replace(valid_until=CLAIMS.valid_until.replace(year=2025))),
    ]
    calls = {"claim_many": 0, "status_many": 0}
    replay, status = v.service.replay, v.service.status
    original_claim_many, original_status_many = replay.claim_many, status.status_many

    def claim_many(items, now):
        calls["claim_many"] += 1
        return original_claim_many(items, now)

    def status_many(indices):
        calls["status_many"] += 1
        return original_status_many(indices)

    replay.claim_many, status.status_many = claim_many, status_many
    response = v.batch(codes)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(codes)
    assert [r["reason"] for r in body["results"]] == [
        "VALID",
        "MALFORMED",
        "REPLAYED",
        "SUSPENDED",
        "REVOKED",
        "VALID",
        "UNKNOWN_KEY",
        "STALE",
        "VALID",
        "REPLAYED",
        "CREDENTIAL_EXPIRED",
    ]
    assert body["results"][5]["requires_id_check"] is True and body["results"][5]["mode"] == "PAPER"
    assert body["results"][8]["mode"] == "PASS"
    assert calls == {"claim_many": 1, "status_many": 1}


def test_batch_limits_and_shapes(make_verifier, issuer):
    v = make_verifier(batch_max=5)
    auth = {"Authorization": f"Bearer {OFFICIAL_KEY}"}
    too_many = v.client.post("/v1/verify/batch", json={"codes": ["RP:1"] * 6}, headers=auth)
    assert too_many.status_code == 413 and too_many.json()["error"] == "BATCH_TOO_LARGE"
    for body in ({"codes": "RP:1"}, {"codes": [1]}, {"code": "RP:1"}, ["RP:1"], {"codes": None}):
        response = v.client.post("/v1/verify/batch", json=body, headers=auth)
        assert response.status_code == 400, body
        assert response.json()["error"] == "INVALID_INPUT"
    empty = v.client.post("/v1/verify/batch", json={"codes": []}, headers=auth)
    assert empty.status_code == 200 and empty.json()["results"] == []


def test_malformed_and_huge_bodies(make_verifier):
    v = make_verifier(max_body_bytes=4096)
    auth = {"Authorization": f"Bearer {OFFICIAL_KEY}"}
    cases = [
        (b"{", 400, "INVALID_JSON"),
        (b"", 400, "INVALID_JSON"),
        (b"\xff\xfe\x00garbage", 400, "INVALID_JSON"),
        (b"[" * 100_000 + b"]" * 100_000, 413, "PAYLOAD_TOO_LARGE"),
        (b"[" * 3000 + b"]" * 1000, 400, "INVALID_JSON"),
        (b'{"code": 5}', 400, "INVALID_INPUT"),
        (b'{"code": null}', 400, "INVALID_INPUT"),
        (b'{"nothing": 1}', 400, "INVALID_INPUT"),
        (b'"RP:1"', 400, "INVALID_INPUT"),
        (json.dumps({"code": "x" * 5000}).encode(), 413, "PAYLOAD_TOO_LARGE"),
    ]
    for body, status, error in cases:
        response = v.client.post("/v1/verify", content=body, headers={**auth, "Content-Type": "application/json"})
        assert (response.status_code, response.json().get("error")) == (status, error), body[:20]
    undeclared = v.client.post("/v1/verify", content=b'{"code": "RP:1"}', headers=auth)
    assert undeclared.status_code == 415 and undeclared.json()["error"] == "UNSUPPORTED_MEDIA_TYPE"

    def chunks():  # no Content-Length: the limit applies while reading
        for _ in range(100):
            yield b"x" * 1000

    streamed = v.client.post("/v1/verify", content=chunks(), headers=auth)
    assert streamed.status_code == 413 and streamed.json()["error"] == "PAYLOAD_TOO_LARGE"
    long_code = v.client.post("/v1/verify", json={"code": "RP:" + "A" * 4000}, headers=auth)
    assert long_code.status_code == 200 and long_code.json()["reason"] == "MALFORMED"


def test_status_stale_is_503_with_the_verdict(make_verifier, issuer, clock):
    v = make_verifier(max_status_age_s=120, sync_interval_s=30)
    assert v.verify(issuer.minted()).json()["status_age_s"] == 0
    issuer.broken = True
    clock.advance(100)
    v.tick()  # the issuer fails: the data only ages
    fine = v.verify(issuer.minted())
    assert fine.status_code == 200 and fine.json()["status_age_s"] == 100
    clock.advance(21)
    v.tick()
    stale = v.verify(issuer.minted())
    assert stale.status_code == 503
    assert stale.headers["retry-after"]
    body = stale.json()
    assert body["valid"] is False and body["reason"] == "STATUS_STALE" and body["status_age_s"] == 121
    assert v.client.get("/healthz").status_code == 503
    batch = v.batch([issuer.minted(), "RP:1"])
    assert batch.status_code == 503
    assert [r["reason"] for r in batch.json()["results"]] == ["STATUS_STALE", "MALFORMED"]
    issuer.broken = False
    v.tick()  # a failed fetch is retried after a short pause, not on every tick
    assert v.verify(issuer.minted()).json()["reason"] == "STATUS_STALE"
    clock.advance(5)
    v.tick()
    recovered = v.verify(issuer.minted()).json()
    assert recovered["reason"] == "VALID" and recovered["status_age_s"] == 0


def test_before_the_first_fetch_nothing_is_valid(make_verifier, issuer, tmp_path):
    issuer.broken = True
    v = make_verifier()
    response = v.verify(issuer.minted())
    assert response.status_code == 200 and response.json()["reason"] == "UNKNOWN_KEY"
    health = v.client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["problems"] == ["no key set", "no status list"]
    # With the key set from a file but no status list yet: STATUS_STALE, never VALID.
    keyset_file = tmp_path / "keyset.json"
    keyset_file.write_bytes(issuer.keyset_bytes())
    from_file = make_verifier(keyset_file=keyset_file)
    stale = from_file.verify(issuer.minted())
    assert stale.status_code == 503 and stale.json()["reason"] == "STATUS_STALE"
    assert stale.json()["status_age_s"] is None
    issuer.broken = False
    from_file.tick(force=True)
    assert from_file.verify(issuer.minted()).json()["reason"] == "VALID"
    assert from_file.client.get("/v1/keyset").content == issuer.keyset_bytes()


def test_pass_liveness_needs_the_rotation_secret(make_verifier, issuer, clock):
    without = make_verifier(rotation_secret=None)
    with_secret = make_verifier()
    unverifiable = without.verify(issuer.offline()).json()
    assert unverifiable["valid"] is False and unverifiable["reason"] == "LIVENESS_UNVERIFIABLE"
    assert unverifiable["mode"] == "PASS"
    assert without.verify(issuer.offline()).json()["reason"] == "LIVENESS_UNVERIFIABLE"  # never VALID
    valid = with_secret.verify(issuer.offline(pass_id=b"P" * 8)).json()
    assert valid["valid"] is True and valid["mode"] == "PASS"
    assert with_secret.verify(issuer.offline(pass_id=b"P" * 8)).json()["reason"] == "REPLAYED"
    clock.advance(30)
    right = code_at(pass_secret(ROTATION_SECRET, b"P" * 8), step_at(clock(), PASS_PERIOD))
    wrong = issuer.offline(pass_id=b"P" * 8, code=(right + 1) % 1_000_000)
    assert with_secret.verify(wrong).json()["reason"] == "BAD_TOTP"
    assert without.verify(wrong).json()["reason"] == "LIVENESS_UNVERIFIABLE"
    health = with_secret.client.get("/healthz").json()
    assert health["liveness_secret"] is True
    assert without.client.get("/healthz").json()["liveness_secret"] is False


def test_audit_records_every_verdict_without_personal_data(make_verifier, issuer):
    v = make_verifier()
    v.verify(issuer.minted())
    v.verify("garbage", key=BUSINESS_KEY)
    v.batch([issuer.paper(), issuer.paper()])
    lines = v.audit_lines()
    assert [(r["caller"], r["role"], r["reason"]) for r in lines] == [
        ("police-1", "official", "VALID"),
        ("landlord-1", "business", "MALFORMED"),
        ("police-1", "official", "VALID"),
        ("police-1", "official", "VALID"),
    ]
    expected = hmac.new(AUDIT_KEY, hashlib.sha256((4242).to_bytes(3, "big")).digest(), hashlib.sha256).hexdigest()
    assert lines[0]["cred_ref"] == expected and lines[0]["mode"] == "MINTED" and lines[0]["offline"] is False
    assert lines[1]["cred_ref"] is None
    assert lines[0]["at"] == "2026-11-23T02:13:20.000Z"
    text = v.config.audit_file.read_text(encoding="utf-8")
    assert "张伟" not in text and "123X" not in text and "4242" not in text


def test_claims_with_unusual_values_are_still_described(make_verifier, issuer):
    v = make_verifier()
    odd = Claims(ref=5, permit_type=2, district=16, valid_until=CLAIMS.valid_until, id_tail="0000", name="")
    body = v.verify(issuer.paper(odd)).json()
    assert body["claims"]["district"] == {"code": 16, "zh": "延庆区", "en": "Yanqing"}
    assert body["claims"]["permit_type"]["type"] == "REGISTRATION_CARD"
    assert body["claims"]["id_number_masked"] == "**************0000"
