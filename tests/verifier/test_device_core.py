"""The pipeline on device-bound codes: the committed vectors, both key types, single and batch.

A verifier here holds only the public key set: no rotation secret anywhere.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from keys.device_key import DeviceAlg, DeviceSigner
from keys.keyset import KeySet
from keys.statuslist import REVOKED, SUSPENDED
from keys.wire import device_step_message, device_text
from tests.vectors import device as vectors
from verifier.core import Options, check_signed, verify, verify_batch
from verifier.replay import MemoryReplayStore
from verifier.status import MemoryStatusSource

DOC = json.loads(vectors.FILE.read_text(encoding="utf-8"))
NOW = float(DOC["now"])
KEYSET = KeySet.loads(DOC["keyset"])
NO_SECRET = Options()


def _state(vector: dict[str, Any]) -> tuple[MemoryStatusSource, MemoryReplayStore]:
    status = MemoryStatusSource()
    for index in vector.get("revoked", []):
        status.set(index, REVOKED, NOW)
    for index in vector.get("suspended", []):
        status.set(index, SUSPENDED, NOW)
    return status, MemoryReplayStore()


@pytest.mark.parametrize("vector", DOC["vectors"], ids=lambda v: v["name"])
def test_vector_single(vector: dict[str, Any]) -> None:
    status, replay = _state(vector)
    if vector.get("presented_before"):
        assert verify(vector["text"], NOW, KEYSET, status, replay, NO_SECRET).reason == "VALID"
    verdict = verify(vector["text"], NOW, KEYSET, status, replay, NO_SECRET)
    assert verdict.reason == vector["expect"]
    assert verdict.valid is (vector["expect"] == "VALID")
    if vector["expect"] in ("VALID", "REPLAYED", "REVOKED", "SUSPENDED"):
        assert verdict.mode == "DEVICE" and verdict.claims is not None
        assert verdict.claims.ref == DOC["claims_ref"] and not verdict.requires_id_check


@pytest.mark.parametrize("vector", DOC["vectors"], ids=lambda v: v["name"])
def test_vector_batch_agrees(vector: dict[str, Any]) -> None:
    status, replay = _state(vector)
    texts = [vector["text"], vector["text"]] if vector.get("presented_before") else [vector["text"]]
    verdicts = verify_batch(texts, NOW, KEYSET, status, replay, NO_SECRET)
    assert verdicts[-1].reason == vector["expect"]


@pytest.mark.parametrize("alg", list(DeviceAlg), ids=lambda a: a.value)
def test_every_step_of_the_pass_is_valid_once_on_its_own_phone(alg: DeviceAlg) -> None:
    signer = DeviceSigner(alg, bytes(range(9, 41)))
    signed = vectors.device_pass(signer)
    replay = MemoryReplayStore()
    status = MemoryStatusSource()
    for minutes in (0, 1, 30, 600, 1190):
        at = NOW + minutes * 60
        step = int(at // vectors.PERIOD)
        text = device_text(signed, step, signer.sign(device_step_message(signed, step)))
        assert verify(text, at, KEYSET, status, replay, NO_SECRET).reason == "VALID"
        assert verify(text, at + 1, KEYSET, status, replay, NO_SECRET).reason == "REPLAYED"
        assert verify(text, at + 3 * vectors.PERIOD, KEYSET, status, replay, NO_SECRET).reason == "STALE"


def test_a_batch_mixing_both_key_types_and_a_copied_pass() -> None:
    ed, p256 = vectors.signers().values()
    other = DeviceSigner(DeviceAlg.P256, bytes(range(2, 34)))
    step = int(NOW // vectors.PERIOD)
    texts = [vectors.shown(ed, vectors.device_pass(ed), step), vectors.shown(p256, vectors.device_pass(p256, pass_ref=7), step),
             vectors.shown(other, vectors.device_pass(p256, pass_ref=7), step)]
    status = MemoryStatusSource()
    status.set(vectors.PASS_REF + 1, REVOKED, NOW)  # a neighbour's removal changes nothing here
    reasons = [v.reason for v in verify_batch(texts, NOW, KEYSET, status, MemoryReplayStore(), NO_SECRET)]
    assert reasons == ["VALID", "VALID", "BAD_DEVICE_SIGNATURE"]


def test_removed_phone_is_refused_in_a_batch_while_the_credential_stays_valid() -> None:
    ed, p256 = vectors.signers().values()
    step = int(NOW // vectors.PERIOD)
    removed = vectors.shown(ed, vectors.device_pass(ed), step)
    status = MemoryStatusSource()
    status.set(vectors.PASS_REF, REVOKED, NOW)
    verdicts = verify_batch([removed], NOW, KEYSET, status, MemoryReplayStore(), NO_SECRET)
    assert verdicts[0].reason == "REVOKED"


def test_status_data_too_old_is_refused_before_replay() -> None:
    ed = vectors.signers()["Ed25519"]
    text = vectors.shown(ed, vectors.device_pass(ed), int(NOW // vectors.PERIOD))
    old = MemoryStatusSource(updated_at=NOW - 3600)
    options = Options(max_status_age_s=600)
    replay = MemoryReplayStore()
    assert verify(text, NOW, KEYSET, old, replay, options).reason == "STATUS_STALE"
    assert verify(text, NOW, KEYSET, MemoryStatusSource(updated_at=NOW), replay, options).reason == "VALID"


def test_check_signed_names_the_pass_index() -> None:
    ed = vectors.signers()["Ed25519"]
    text = vectors.shown(ed, vectors.device_pass(ed), int(NOW // vectors.PERIOD))
    checked = check_signed(text, NOW, KEYSET, NO_SECRET)
    assert checked.pass_ref == vectors.PASS_REF and checked.replay_key is not None
    assert not checked.liveness_unverifiable
