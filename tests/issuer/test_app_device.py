"""The device-bound mode through the issuer's HTTP API: register a key, fetch passes,
and what removing the phone or changing the credential does to them."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from keys.device_key import DeviceAlg, DeviceSigner
from keys.keyset import b64u, unb64u
from keys.wire import device_step_message, device_text
from tests.issuer.app_helpers import ADMIN, Clock, TestClient, checker, enrol, issue


def _export(signer: DeviceSigner) -> str:
    """The public key as WebCrypto's raw export gives it (P-256: 65 bytes uncompressed)."""
    if signer.alg is DeviceAlg.ED25519:
        return b64u(signer.field[1:])
    assert signer._p256 is not None
    return b64u(signer._p256.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def _register(client: TestClient, device: dict[str, str], signer: DeviceSigner) -> None:
    r = client.post("/v1/holder/device-key", json={"alg": signer.alg.value, "public_key": _export(signer)},
                    headers=device)
    assert r.status_code == 201, r.text
    assert r.json()["alg"] == signer.alg.value


def _shown(client: TestClient, device: dict[str, str], signer: DeviceSigner, now: float) -> str:
    r = client.get("/v1/holder/device-pass", headers=device)
    assert r.status_code == 200, r.text
    body = r.json()
    signed = unb64u(body["pass"])
    step = int(now // body["period"])
    return device_text(signed, step, signer.sign(device_step_message(signed, step)))


def _bound_phone(client: TestClient, signer: DeviceSigner, now: float, cid: str | None = None,
                 label: str = "test phone") -> tuple[str, dict[str, str], str]:
    """(cred_id, device headers, the code the phone shows now) for a phone enrolled with ``signer``'s key."""
    cid = cid or issue(client)["cred_id"]
    device = enrol(client, cid, label)
    _register(client, device, signer)
    return cid, device, _shown(client, device, signer, now)


@pytest.fixture(params=list(DeviceAlg), ids=lambda a: a.value)
def signer(request: pytest.FixtureRequest) -> DeviceSigner:
    return DeviceSigner(request.param, bytes(range(3, 35)))


def test_a_registered_key_gets_passes_that_verify_without_any_secret(
    client: TestClient, clock: Clock, signer: DeviceSigner
) -> None:
    device = enrol(client, issue(client)["cred_id"])
    _register(client, device, signer)
    body = client.get("/v1/holder/device-pass", headers=device).json()
    assert body["alg"] == signer.alg.value
    assert body["not_before"] <= clock() < body["renew_after"] < body["not_after"] <= clock() + 72 * 3600
    verdict = checker(client, clock()).verify(_shown(client, device, signer, clock()), clock(), with_secret=False)
    assert verdict.reason == "VALID" and verdict.mode == "DEVICE"


def test_another_phone_cannot_use_the_pass(client: TestClient, clock: Clock, signer: DeviceSigner) -> None:
    device = enrol(client, issue(client)["cred_id"])
    _register(client, device, signer)
    signed = unb64u(client.get("/v1/holder/device-pass", headers=device).json()["pass"])
    thief = DeviceSigner(signer.alg, bytes(range(4, 36)))
    step = int(clock() // 15)
    text = device_text(signed, step, thief.sign(device_step_message(signed, step)))
    assert checker(client, clock()).verify(text, clock()).reason == "BAD_DEVICE_SIGNATURE"


def test_removing_the_phone_revokes_its_passes_at_the_next_status_sync(
    client: TestClient, clock: Clock, signer: DeviceSigner
) -> None:
    cid, device, text = _bound_phone(client, signer, clock())
    other_signer = DeviceSigner(DeviceAlg.ED25519, bytes(range(5, 37)))
    _, _, other_text = _bound_phone(client, other_signer, clock(), cid, "second phone")
    [first, _] = client.get(f"/admin/credentials/{cid}/devices", headers=ADMIN).json()["devices"]
    assert client.post(f"/admin/devices/{first['device_id']}/revoke", headers=ADMIN).status_code == 200
    synced = checker(client, clock())
    assert synced.verify(text, clock()).reason == "REVOKED"
    assert synced.verify(other_text, clock()).reason == "VALID"  # the holder's other phone keeps working
    assert client.get("/v1/holder/device-pass", headers=device).status_code == 401


def test_suspension_stops_device_passes_and_reinstatement_restores_them(
    client: TestClient, clock: Clock, signer: DeviceSigner
) -> None:
    cid, device, text = _bound_phone(client, signer, clock())
    r = client.post(f"/admin/credentials/{cid}/suspend", json={"reason": "核查"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert checker(client, clock()).verify(text, clock()).reason == "SUSPENDED"
    assert client.get("/v1/holder/device-pass", headers=device).status_code == 409
    assert client.post(f"/admin/credentials/{cid}/reinstate", json={}, headers=ADMIN).status_code == 200
    assert checker(client, clock()).verify(text, clock()).reason == "VALID"


def test_revoking_the_credential_revokes_device_passes(client: TestClient, clock: Clock, signer: DeviceSigner) -> None:
    cid, _, text = _bound_phone(client, signer, clock())
    r = client.post(f"/admin/credentials/{cid}/revoke", json={"reason": "迁出"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert checker(client, clock()).verify(text, clock()).reason == "REVOKED"


def test_a_new_key_replaces_the_old_one_and_its_passes(client: TestClient, clock: Clock) -> None:
    device = enrol(client, issue(client)["cred_id"])
    old = DeviceSigner(DeviceAlg.ED25519, bytes(range(6, 38)))
    _register(client, device, old)
    _register(client, device, old)  # the same key again: nothing changes
    old_text = _shown(client, device, old, clock())
    assert checker(client, clock()).verify(old_text, clock()).reason == "VALID"
    new = DeviceSigner(DeviceAlg.P256, bytes(range(7, 39)))
    _register(client, device, new)
    synced = checker(client, clock())
    assert synced.verify(old_text, clock()).reason == "REVOKED"
    assert synced.verify(_shown(client, device, new, clock()), clock()).reason == "VALID"


def test_renewal_after_the_old_pass_expired(client: TestClient, clock: Clock) -> None:
    device = enrol(client, issue(client)["cred_id"])
    signer = DeviceSigner(DeviceAlg.ED25519, bytes(range(8, 40)))
    _register(client, device, signer)
    old = unb64u(client.get("/v1/holder/device-pass", headers=device).json()["pass"])
    clock.advance(25 * 3600)
    step = int(clock() // 15)
    stale = device_text(old, step, signer.sign(device_step_message(old, step)))
    assert checker(client, clock()).verify(stale, clock()).reason == "STALE"
    assert checker(client, clock()).verify(_shown(client, device, signer, clock()), clock()).reason == "VALID"


def test_a_pass_needs_a_registered_key(client: TestClient) -> None:
    device = enrol(client, issue(client)["cred_id"])
    r = client.get("/v1/holder/device-pass", headers=device)
    assert r.status_code == 409 and r.json()["error"] == "DEVICE_KEY_REQUIRED"
    assert r.json()["message"]["zh"]


@pytest.mark.parametrize(
    "body",
    [
        {"alg": "Ed25519", "public_key": b64u(b"\x00" * 32)},
        {"alg": "Ed25519", "public_key": b64u(b"\x01" * 31)},
        {"alg": "P-256", "public_key": b64u(b"\x04" + b"\x01" * 64)},
        {"alg": "RSA-PSS", "public_key": b64u(b"\x01" * 32)},
        {"alg": "P-256", "public_key": "***"},
        {"alg": "P-256"},
        {"alg": 5, "public_key": "AAAA"},
    ],
)
def test_keys_that_are_not_device_keys_are_refused(client: TestClient, body: dict[str, object]) -> None:
    device = enrol(client, issue(client)["cred_id"])
    r = client.post("/v1/holder/device-key", json=body, headers=device)
    assert r.status_code == 400, r.text
    assert r.json()["error"] in ("INVALID_DEVICE_KEY", "INVALID_INPUT")


def test_device_endpoints_need_the_device_token(client: TestClient) -> None:
    assert client.get("/v1/holder/device-pass").status_code == 401
    assert client.post("/v1/holder/device-key", json={}, headers={"Authorization": "Bearer nope"}).status_code == 401
