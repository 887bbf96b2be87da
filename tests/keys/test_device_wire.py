"""The DEVICE mode's layout: encoding, splitting, QR size, and the pinned vectors."""

from __future__ import annotations

import json
from datetime import date

import pytest
import segno

from keys.base45 import b45decode
from keys.device_key import DeviceAlg, DeviceSigner
from keys.keypair import SigningKey
from keys.wire import (
    DEVICE_CONTEXT,
    DEVICE_FIELDS,
    LAYOUTS,
    NAME_MAX_BYTES,
    PREFIX,
    Claims,
    Mode,
    CLAIMS_OFFSET,
    decode_claims,
    device_step_message,
    device_text,
    encode_device_pass,
    unverified_split,
)
from tests.vectors import device as vectors

KEY = SigningKey(bytes(32))
LONGEST = Claims(2**24 - 1, 2, 16, date(2149, 6, 1), "999X", "阿卜杜热合曼·买买提明·艾力")
COMMITTED = json.loads(vectors.FILE.read_text(encoding="utf-8"))


def test_committed_vectors_match_the_encoder() -> None:
    assert vectors.build() == COMMITTED


@pytest.mark.parametrize("version, longest", [(1, 204), (2, 205)])
@pytest.mark.parametrize("alg", list(DeviceAlg), ids=lambda a: a.value)
def test_longest_device_code_fits_qr_version_10_at_level_m(alg: DeviceAlg, version: int, longest: int) -> None:
    signer = DeviceSigner(alg, bytes(range(1, 33)))
    signed = encode_device_pass(
        KEY, LONGEST, period=255, not_before=2**32 - 1, hours=72, pass_ref=2**24 - 1, device_key=signer.field,
        version=version,
    )
    text = device_text(signed, 2**32 - 1, signer.sign(device_step_message(signed, 2**32 - 1)))
    assert LAYOUTS[version].length_bounds[Mode.DEVICE][1] == longest
    assert len(b45decode(text[len(PREFIX) :])) in (longest, longest - 1)  # the name cut on a character boundary
    qr = segno.make(text, error="m", boost_error=False)
    assert (qr.error, qr.mode) == ("M", "alphanumeric")
    assert qr.version == 10


def test_split_separates_pass_signature_and_device_trailer() -> None:
    signer = DeviceSigner(DeviceAlg.ED25519, bytes(range(1, 33)))
    claims = LONGEST._replace(name="张伟")
    signed = encode_device_pass(
        KEY, claims, period=30, not_before=1_795_396_400, hours=24, pass_ref=90_001, device_key=signer.field,
        version=1,
    )
    step = 1_795_400_000 // 30
    signature = signer.sign(device_step_message(signed, step))
    split = unverified_split(device_text(signed, step, signature))
    assert split.mode == Mode.DEVICE and split.kid == KEY.kid
    assert split.signed + split.signature == signed
    assert split.trailer == (step & 0xFFFF).to_bytes(2, "big") + signature
    period, not_before, hours, pass_ref, field = DEVICE_FIELDS.unpack_from(split.signed, 6)
    assert (period, not_before, hours, int.from_bytes(pass_ref, "big"), field) == (
        30, 1_795_396_400, 24, 90_001, signer.field,
    )
    assert decode_claims(split.signed, CLAIMS_OFFSET[Mode.DEVICE]) == claims
    assert device_step_message(signed, step) == DEVICE_CONTEXT + step.to_bytes(4, "big") + signed


def test_name_is_cut_to_the_mode_budget() -> None:
    signer = DeviceSigner(DeviceAlg.P256, bytes(range(1, 33)))
    signed = encode_device_pass(KEY, LONGEST, period=30, not_before=0, hours=1, pass_ref=0, device_key=signer.field,
                                version=1)
    assert len(decode_claims(signed[:-64], CLAIMS_OFFSET[Mode.DEVICE]).name.encode()) <= NAME_MAX_BYTES[Mode.DEVICE]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hours": 73},
        {"hours": 0},
        {"period": 0},
        {"pass_ref": 2**24, "version": 1},
        {"pass_ref": 2**32},
        {"pass_ref": -1},
        {"device_key": b"\xed" * 32},
    ],
)
def test_encoder_refuses_out_of_range_fields(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {"period": 30, "not_before": 0, "hours": 24, "pass_ref": 1, "device_key": b"\xed" * 33}
    with pytest.raises(ValueError):
        encode_device_pass(KEY, LONGEST, **{**base, **kwargs})  # type: ignore[arg-type]


def test_device_text_needs_a_64_byte_signature() -> None:
    with pytest.raises(ValueError):
        device_text(b"x" * 120, 1, b"\x00" * 63)
