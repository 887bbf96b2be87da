"""Key set and status list refresh, driven by the injected clock (no waiting)."""

from __future__ import annotations

import json

from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.statuslist import ACTIVE, MIN_SIZE, REVOKED, SUSPENDED, StatusList

from .service_kit import CLAIMS, NOW

STATUS = "/v1/status-list"
KEYSET = "/.well-known/permit-keys.json"


def test_revocation_is_enforced_within_the_sync_interval(make_verifier, issuer, clock):
    v = make_verifier(sync_interval_s=30)
    mine = CLAIMS._replace(ref=1234)
    assert v.verify(issuer.minted(claims=mine)).json()["reason"] == "VALID"
    issuer.set_status(1234, REVOKED)
    clock.advance(10)
    v.tick()  # not due yet: the list from 10 s ago is still current enough
    assert v.verify(issuer.minted(claims=mine)).json()["reason"] == "VALID"
    assert issuer.fetches(STATUS) == [200]
    clock.advance(20)
    v.tick()
    refused = v.verify(issuer.minted(claims=mine)).json()
    assert refused["reason"] == "REVOKED" and refused["valid"] is False and refused["status_age_s"] == 0
    issuer.set_status(1234, SUSPENDED)
    clock.advance(30)
    v.tick()
    assert v.verify(issuer.minted(claims=mine)).json()["reason"] == "SUSPENDED"
    issuer.set_status(1234, ACTIVE)
    clock.advance(30)
    v.tick()
    assert v.verify(issuer.minted(claims=mine)).json()["reason"] == "VALID"
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"  # others were never affected


def test_unchanged_list_is_revalidated_with_etag(make_verifier, issuer, clock):
    v = make_verifier(sync_interval_s=30)
    clock.advance(31)
    v.tick()
    assert issuer.fetches(STATUS) == [200, 304]
    body = v.verify(issuer.minted()).json()
    assert body["status_age_s"] == 0  # a 304 confirms the list as current
    clock.advance(300)
    v.tick()
    assert issuer.fetches(KEYSET) == [200, 304]


def test_older_list_never_replaces_a_newer_one(make_verifier, issuer, clock):
    v = make_verifier(sync_interval_s=30)
    issuer.set_status(55, REVOKED)
    clock.advance(30)
    v.tick()
    assert v.verify(issuer.minted(claims=CLAIMS._replace(ref=55))).json()["reason"] == "REVOKED"
    # A replayed (or stale cached) response from before the revocation.
    old = StatusList.build([], size=MIN_SIZE, issued_at=int(NOW), ttl=3600).sign(issuer.key)
    issuer._status_doc = json.dumps(old).encode()
    clock.advance(30)
    v.tick()
    assert v.verify(issuer.minted(claims=CLAIMS._replace(ref=55))).json()["reason"] == "REVOKED"
    assert v.service.metrics.events["status_rollback_refused"] == 1


def test_forged_or_broken_lists_are_refused(make_verifier, issuer, clock):
    v = make_verifier(sync_interval_s=30)
    forger = SigningKey(bytes([5]) * 32)
    issuer.set_status(4242, ACTIVE)
    forged = StatusList.build([], size=MIN_SIZE, issued_at=int(clock()) + 60, ttl=3600).sign(forger)
    issuer.set_status(4242, REVOKED)
    v.tick(force=True)
    assert v.verify(issuer.minted()).json()["reason"] == "REVOKED"
    for document in (json.dumps(forged).encode(), b"not json", b"{}"):
        issuer._status_doc = document
        clock.advance(30)
        v.tick()
        assert v.verify(issuer.minted()).json()["reason"] == "REVOKED"


def test_new_signing_key_is_fetched_when_the_list_needs_it(make_verifier, issuer, clock):
    v = make_verifier(sync_interval_s=30, keyset_interval_s=3600)
    old_key = issuer.key
    new_key = SigningKey(bytes([11]) * 32)
    both = KeySet(
        [
            KeyInfo(old_key.kid, old_key.public_key, int(NOW) - 86400, int(NOW) + 86400, "retired"),
            KeyInfo(new_key.kid, new_key.public_key, int(NOW), int(NOW) + 400 * 86400),
        ],
        int(NOW) + 60,
    )
    issuer.key = new_key
    issuer.set_status(4242, SUSPENDED)
    original = type(issuer).keyset
    type(issuer).keyset = property(lambda self: both)
    try:
        clock.advance(30)
        v.tick()  # the list is signed by a key not yet known: the key set is refetched first
    finally:
        type(issuer).keyset = original
    assert v.verify(issuer.minted()).json()["reason"] == "SUSPENDED"
    assert len(v.service.sync.keyset) == 2


def test_offline_documents_are_served_as_fetched_with_etags(make_verifier, issuer, clock):
    v = make_verifier(sync_interval_s=30)
    for path, expected in (("/v1/keyset", issuer.keyset_bytes()), ("/v1/status-list", issuer.status_bytes())):
        response = v.client.get(path)
        assert response.status_code == 200
        assert response.content == expected
        assert response.headers["content-type"].startswith("application/json")
        etag = response.headers["etag"]
        again = v.client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert v.client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    before = v.client.get("/v1/status-list").headers["etag"]
    issuer.set_status(7, REVOKED)
    clock.advance(30)
    v.tick()
    changed = v.client.get("/v1/status-list", headers={"If-None-Match": before})
    assert changed.status_code == 200 and changed.content == issuer.status_bytes()


def test_offline_documents_before_the_first_fetch(make_verifier, issuer):
    issuer.broken = True
    v = make_verifier()
    for path in ("/v1/keyset", "/v1/status-list"):
        response = v.client.get(path)
        assert response.status_code == 503 and response.json()["error"] == "NOT_READY"
