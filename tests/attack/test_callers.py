"""Wrong keys, business keys asking for more, skewed handheld clocks, TOTP guessing through the API."""

from __future__ import annotations

from keys.totp import code_at, pass_secret

from tests.verifier.service_kit import BUSINESS_KEY, OFFICIAL_KEY, PERIOD, ROTATION_SECRET

PERSONAL = ("name", "id_tail", "id_number", "id_masked")


def test_wrong_and_missing_keys(make_verifier, issuer):
    v = make_verifier()
    code = issuer.minted()
    for key in (None, "", "vk_wrong", OFFICIAL_KEY[:-1], OFFICIAL_KEY + "x", OFFICIAL_KEY.upper()):
        response = v.verify(code, key=key)
        assert response.status_code == 401 and response.json()["error"] == "UNAUTHORIZED"
    for header in ("Basic " + OFFICIAL_KEY, OFFICIAL_KEY, "Bearer", "Bearer  "):
        response = v.client.post("/v1/verify", json={"code": code}, headers={"Authorization": header})
        assert response.status_code == 401
    assert v.verify(code).json()["reason"] == "VALID"  # none of the attempts used the code up


def test_business_keys_see_no_personal_data_and_get_no_session(make_verifier, issuer):
    v = make_verifier()
    seen = v.verify(issuer.minted(), key=BUSINESS_KEY).json()
    assert seen["valid"] is True
    assert not any(field in str(seen["claims"]) for field in PERSONAL)
    assert "张" not in v.verify(issuer.minted(), key=BUSINESS_KEY).text
    batch = v.batch([issuer.minted(), issuer.offline(), issuer.paper()], key=BUSINESS_KEY).json()
    assert "张" not in str(batch)
    session = v.client.post("/v1/session", json={"api_key": BUSINESS_KEY})
    assert session.status_code == 403  # handheld sessions are for officials only
    assert v.client.get("/v1/session").status_code == 401


def test_skewed_handheld_clock(make_verifier, issuer, clock):
    v = make_verifier()
    now = clock()
    assert v.verify(issuer.minted(at=now - PERIOD)).json()["reason"] == "VALID"  # one step behind
    assert v.verify(issuer.minted(at=now + PERIOD)).json()["reason"] == "VALID"  # one step ahead
    assert v.verify(issuer.minted(at=now - 2 * PERIOD)).json()["reason"] == "STALE"
    assert v.verify(issuer.minted(at=now + 2 * PERIOD)).json()["reason"] == "NOT_YET_VALID"
    assert v.verify(issuer.offline(at=now + 60)).json()["reason"] == "NOT_YET_VALID"  # the phone two steps fast
    assert v.verify(issuer.offline(at=now - 60)).json()["reason"] == "STALE"
    server = v.client.get("/v1/time").json()  # what a handheld uses to check its own clock
    assert server["now"] == now and server["period_s"] == PERIOD


def test_totp_guessing_is_stopped(make_verifier, issuer, clock):
    """The campaign found 6,600 guesses per second possible with batches; now a pass gets a handful."""
    v = make_verifier()
    right = code_at(pass_secret(ROTATION_SECRET, b"P" * 8), int(clock() // 30))
    guesses = [issuer.offline(code=c) for c in range(1000) if c != right][:499] + [issuer.offline(code=right)]
    tried = 0
    for start in range(0, len(guesses), 100):
        answers = v.batch(guesses[start : start + 100]).json()["results"]
        tried += len(answers)
        assert all(a["reason"] == "BAD_TOTP" for a in answers)
    assert tried == 500
    clock.advance(30)
    assert v.verify(issuer.offline()).json()["reason"] == "BAD_TOTP"  # still locked in the next step
