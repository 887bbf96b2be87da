"""Revoked, suspended, changed and expired credentials; stale or tampered status lists and key sets."""

from __future__ import annotations

import json
from datetime import date

from keys.statuslist import REVOKED, SUSPENDED

from tests.verifier.service_kit import CLAIMS

MAX_AGE = 300.0


def test_lifecycle_states(make_verifier, issuer, clock):
    v = make_verifier(sync_interval_s=30)
    old, new = CLAIMS._replace(ref=501), CLAIMS._replace(ref=502, district=7)
    suspended, revoked = CLAIMS._replace(ref=503), CLAIMS._replace(ref=504)
    assert v.verify(issuer.minted(claims=old)).json()["reason"] == "VALID"
    issuer.set_status(501, REVOKED)  # a change of address: the old index revoked, a new one issued
    issuer.set_status(503, SUSPENDED)
    issuer.set_status(504, REVOKED)
    clock.advance(30)
    v.tick()
    assert v.verify(issuer.minted(claims=old)).json()["reason"] == "REVOKED"
    assert v.verify(issuer.minted(claims=new)).json()["reason"] == "VALID"
    assert v.verify(issuer.minted(claims=suspended)).json()["reason"] == "SUSPENDED"
    assert v.verify(issuer.minted(claims=revoked)).json()["reason"] == "REVOKED"
    assert v.verify(issuer.offline(claims=revoked)).json()["reason"] == "REVOKED"
    assert v.verify(issuer.paper(claims=revoked)).json()["reason"] == "REVOKED"
    expired = CLAIMS._replace(valid_until=date(2026, 11, 22))
    assert v.verify(issuer.minted(claims=expired)).json()["reason"] == "CREDENTIAL_EXPIRED"
    issuer.set_status(503, 0)  # reinstated
    clock.advance(30)
    v.tick()
    assert v.verify(issuer.minted(claims=suspended)).json()["reason"] == "VALID"


def test_issuer_down_until_status_stale(make_verifier, issuer, clock):
    v = make_verifier(sync_interval_s=30, max_status_age_s=MAX_AGE)
    issuer.set_status(601, REVOKED)
    clock.advance(30)
    v.tick()
    issuer.broken = True
    for _ in range(int(MAX_AGE // 30)):
        clock.advance(30)
        v.tick()
        reason = v.verify(issuer.minted(claims=CLAIMS._replace(ref=601))).json()["reason"]
        assert reason in ("REVOKED", "STATUS_STALE")
    clock.advance(1)
    stale = v.verify(issuer.minted())
    assert stale.status_code == 503 and stale.json()["reason"] == "STATUS_STALE"
    issuer.broken = False
    clock.advance(30)
    v.tick()
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"


def test_tampered_status_list_is_not_adopted(make_verifier, issuer, clock):
    v = make_verifier(sync_interval_s=30)
    issuer.set_status(701, REVOKED)
    clock.advance(30)
    v.tick()
    revoked = CLAIMS._replace(ref=701)
    assert v.verify(issuer.minted(claims=revoked)).json()["reason"] == "REVOKED"
    doc = json.loads(issuer.status_bytes())
    issuer.set_status(701, 0)  # the attacker's wish: the revocation gone, the old signature kept
    forged = json.loads(issuer.status_bytes())
    forged["signature"] = doc["signature"]
    issuer._status_doc = json.dumps(forged).encode()
    clock.advance(30)
    v.tick()
    assert v.verify(issuer.minted(claims=revoked)).json()["reason"] == "REVOKED"
    issuer._status_doc = b"{not json"
    clock.advance(30)
    v.tick()
    assert v.verify(issuer.minted(claims=revoked)).json()["reason"] == "REVOKED"


def test_rolled_back_status_list_is_refused(make_verifier, issuer, clock):
    v = make_verifier(sync_interval_s=30)
    before = issuer.status_bytes()  # an old, genuinely signed list without the revocation
    clock.advance(30)
    issuer.set_status(801, REVOKED)
    v.tick(force=True)
    issuer._status_doc = before  # replayed by an attacker in the middle
    clock.advance(30)
    v.tick()
    assert v.verify(issuer.minted(claims=CLAIMS._replace(ref=801))).json()["reason"] == "REVOKED"


def test_tampered_key_set_is_not_adopted(make_verifier, issuer, clock):
    v = make_verifier(keyset_interval_s=60)
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"
    genuine = issuer.keyset_bytes()
    for tampered in (b"{not json", genuine.replace(b'"Ed25519"', b'"none"'), genuine[: len(genuine) // 2], b"{}"):
        issuer.keyset_override = tampered
        clock.advance(60)
        v.tick()
        assert v.verify(issuer.minted()).json()["reason"] == "VALID"  # the last good key set is kept
