"""Device-bound codes through the verifier service over HTTP, single and batch, with and
without the rotation secret (it plays no part), memory and Redis replay stores."""

from __future__ import annotations

from typing import Any

import pytest

from keys.device_key import DeviceAlg, DeviceSigner
from keys.statuslist import REVOKED, SUSPENDED
from keys.wire import device_step_message, device_text, encode_device_pass

from .service_kit import CLAIMS, NOW, FakeIssuer, settle_replay_epoch

PASS_REF = 90_001


def shown(issuer: FakeIssuer, signer: DeviceSigner, *, pass_ref: int = PASS_REF, by: DeviceSigner | None = None,
          at: float | None = None) -> str:
    at = issuer.clock() if at is None else at
    signed = encode_device_pass(issuer.key, CLAIMS, period=15, not_before=int(NOW) - 60, hours=24,
                                pass_ref=pass_ref, device_key=signer.field)
    step = int(at // 15)
    return device_text(signed, step, (by or signer).sign(device_step_message(signed, step)))


@pytest.fixture(params=list(DeviceAlg), ids=lambda a: a.value)
def signer(request: pytest.FixtureRequest) -> DeviceSigner:
    return DeviceSigner(request.param, bytes(range(20, 52)))


@pytest.mark.parametrize("secret", [True, False], ids=["rotation-secret", "public-keys-only"])
def test_single_verdicts(make_verifier: Any, issuer: FakeIssuer, signer: DeviceSigner, secret: bool) -> None:
    v = make_verifier(**({} if secret else {"rotation_secret": None}))
    code = shown(issuer, signer)
    body = v.verify(code).json()
    assert (body["valid"], body["reason"], body["mode"]) == (True, "VALID", "DEVICE")
    assert body["claims"]["name"] == "张伟" and body["requires_id_check"] is False
    assert v.verify(code).json()["reason"] == "REPLAYED"
    thief = DeviceSigner(signer.alg, bytes(range(21, 53)))
    refused = v.verify(shown(issuer, signer, pass_ref=PASS_REF + 1, by=thief)).json()
    assert (refused["valid"], refused["reason"]) == (False, "BAD_DEVICE_SIGNATURE")
    assert refused["message"]["en"].startswith("Bad device signature")
    assert v.verify(shown(issuer, signer, at=NOW - 60)).json()["reason"] == "STALE"


def test_batch_mixes_device_codes_and_status(make_verifier: Any, issuer: FakeIssuer, signer: DeviceSigner) -> None:
    v = make_verifier()
    issuer.set_status(PASS_REF + 2, REVOKED)  # a removed phone
    v.tick(force=True)
    fresh = shown(issuer, signer)
    codes = [
        fresh,
        fresh,
        shown(issuer, signer, pass_ref=PASS_REF + 2),
        shown(issuer, signer, pass_ref=PASS_REF + 3, by=DeviceSigner(DeviceAlg.ED25519, bytes(32))),
        issuer.minted(),
    ]
    results = v.batch(codes).json()["results"]
    assert [r["reason"] for r in results] == ["VALID", "REPLAYED", "REVOKED", "BAD_DEVICE_SIGNATURE", "VALID"]
    assert [r["mode"] for r in results[:3]] == ["DEVICE"] * 3


def test_credential_suspension_stops_its_device_passes(make_verifier: Any, issuer: FakeIssuer,
                                                       signer: DeviceSigner) -> None:
    v = make_verifier()
    issuer.set_status(CLAIMS.ref, SUSPENDED)
    v.tick(force=True)
    assert v.verify(shown(issuer, signer)).json()["reason"] == "SUSPENDED"


def test_redis_replay_store(make_verifier: Any, issuer: FakeIssuer, redis_server: Any) -> None:
    import redis

    settle_replay_epoch(redis.Redis.from_url(redis_server.url))
    v = make_verifier(redis_url=redis_server.url)
    signer = DeviceSigner(DeviceAlg.P256, bytes(range(22, 54)))
    code = shown(issuer, signer)
    assert [r["reason"] for r in v.batch([code]).json()["results"]] == ["VALID"]
    assert v.verify(code).json()["reason"] == "REPLAYED"
