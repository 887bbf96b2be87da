"""Lifecycle operations through the HTTP API change what verifier.core answers.

Each test mints codes through the holder API, operates on the credential through
the admin API, then verifies with the key set and status list the service publishes.
"""

from __future__ import annotations

from tests.issuer.app_helpers import (
    ADMIN,
    Clock,
    TestClient,
    checker,
    enrol,
    issue,
    live_code,
)


def test_minted_code_round_trip(client: TestClient, clock: Clock) -> None:
    cred = issue(client, name="张三")
    code = live_code(client, enrol(client, cred["cred_id"]))
    verdict = checker(client, clock()).verify(code, clock())
    assert verdict.reason == "VALID"
    claims = verdict.claims
    assert claims is not None
    assert claims.ref == cred["status_index"] and claims.name == "张三"
    assert claims.permit_type == 1 and claims.district == 3
    assert claims.valid_until.isoformat() == cred["valid_until"]
    assert claims.id_tail == cred["id_number_masked"][-4:]


def test_suspend_then_reinstate(client: TestClient, clock: Clock) -> None:
    cid = issue(client)["cred_id"]
    device = enrol(client, cid)
    code = live_code(client, device)
    client.post(f"/admin/credentials/{cid}/suspend", headers=ADMIN)
    assert checker(client, clock()).verify(code, clock()).reason == "SUSPENDED"
    client.post(f"/admin/credentials/{cid}/reinstate", headers=ADMIN)
    fresh = live_code(client, device)
    assert checker(client, clock()).verify(fresh, clock()).reason == "VALID"


def test_revoke(client: TestClient, clock: Clock) -> None:
    cid = issue(client)["cred_id"]
    device = enrol(client, cid)
    code = live_code(client, device)
    r = client.post(f"/admin/credentials/{cid}/revoke", headers=ADMIN, json={"reason": "证件作废"})
    assert r.status_code == 200
    assert checker(client, clock()).verify(code, clock()).reason == "REVOKED"
    # Revocation also unenrols the holder's phones.
    assert client.get("/v1/holder/live", headers=device).status_code == 401


def test_change_voids_the_old_version(client: TestClient, clock: Clock) -> None:
    cred = issue(client)
    device = enrol(client, cred["cred_id"])
    old = live_code(client, device)
    changed = client.post(f"/admin/credentials/{cred['cred_id']}/change", headers=ADMIN,
                          json={"district": 6, "address": "北京市海淀区中关村大街1号"}).json()
    check = checker(client, clock())
    assert check.verify(old, clock()).reason == "SUPERSEDED"  # the official asks for the current permit
    new = check.verify(live_code(client, device), clock())
    assert new.reason == "VALID"
    assert new.claims is not None and new.claims.district == 6 and new.claims.ref == changed["status_index"]


def test_convert_voids_the_registration_card(client: TestClient, clock: Clock) -> None:
    cred = issue(client, permit_type=2)
    device = enrol(client, cred["cred_id"])
    old = live_code(client, device)
    assert client.post(f"/admin/credentials/{cred['cred_id']}/convert", headers=ADMIN).status_code == 200
    check = checker(client, clock())
    assert check.verify(old, clock()).reason == "SUPERSEDED"
    new = check.verify(live_code(client, device), clock())
    assert new.reason == "VALID" and new.claims is not None and new.claims.permit_type == 1


def test_endorse_extends(client: TestClient, clock: Clock) -> None:
    cid = issue(client)["cred_id"]  # valid until 2027-11-23
    device = enrol(client, cid)
    clock.advance(330 * 86400)  # 2027-10-19, inside the endorsement window
    assert client.post(f"/admin/credentials/{cid}/endorse", headers=ADMIN).status_code == 200
    clock.advance(40 * 86400)  # 2027-11-28: past the original expiry
    verdict = checker(client, clock()).verify(live_code(client, device), clock())
    assert verdict.reason == "VALID"
    assert verdict.claims is not None and verdict.claims.valid_until.isoformat() == "2028-11-23"


def test_without_endorsement_the_credential_expires(client: TestClient, clock: Clock) -> None:
    cid = issue(client)["cred_id"]
    device = enrol(client, cid)
    old = live_code(client, device)
    clock.advance(370 * 86400)
    assert client.get("/v1/holder/live", headers=device).status_code == 409
    assert checker(client, clock()).verify(old, clock()).reason == "STALE"


def test_a_code_is_accepted_once(client: TestClient, clock: Clock) -> None:
    from verifier.core import verify
    from verifier.replay import MemoryReplayStore

    code = live_code(client, enrol(client, issue(client)["cred_id"]))
    check = checker(client, clock())
    replay = MemoryReplayStore()
    assert verify(code, clock(), check.keyset, check.status, replay).reason == "VALID"
    assert verify(code, clock(), check.keyset, check.status, replay).reason == "REPLAYED"


def test_old_code_goes_stale_after_two_periods(client: TestClient, clock: Clock) -> None:
    code = live_code(client, enrol(client, issue(client)["cred_id"]))
    assert checker(client, clock()).verify(code, clock() + 15).reason == "VALID"
    assert checker(client, clock()).verify(code, clock() + 30).reason == "STALE"
