"""Device keys: the 33-byte key field for both algorithms, and their signatures."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from keys.device_key import (
    DeviceAlg,
    DeviceKeyError,
    DeviceSigner,
    alg_of,
    key_field,
    verify_device_signature,
)
from keys.keypair import SigningKey

MESSAGE = b"permit-device/1 step and pass"


@pytest.fixture(params=[DeviceAlg.ED25519, DeviceAlg.P256], ids=lambda a: a.value)
def signer(request: pytest.FixtureRequest) -> DeviceSigner:
    return DeviceSigner(request.param, bytes(range(40, 72)))


def test_a_signature_verifies_with_the_key_field_and_only_for_its_message(signer: DeviceSigner) -> None:
    signature = signer.sign(MESSAGE)
    assert len(signer.field) == 33 and len(signature) == 64
    assert alg_of(signer.field) is signer.alg
    assert verify_device_signature(signer.field, signature, MESSAGE)
    assert not verify_device_signature(signer.field, signature, MESSAGE + b"!")
    other = DeviceSigner(signer.alg, bytes(range(41, 73)))
    assert not verify_device_signature(other.field, signature, MESSAGE)


def test_bit_flips_in_a_signature_are_refused(signer: DeviceSigner) -> None:
    signature = signer.sign(MESSAGE)
    for i in (0, 31, 32, 63):
        bad = bytearray(signature)
        bad[i] ^= 0x80
        assert not verify_device_signature(signer.field, bytes(bad), MESSAGE)


def test_webcrypto_p256_raw_export_is_compressed_to_33_bytes() -> None:
    private = ec.derive_private_key(123456789, ec.SECP256R1())
    uncompressed = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert len(uncompressed) == 65
    field = key_field("P-256", uncompressed)
    assert len(field) == 33 and field[0] in (2, 3)
    assert field[1:] == uncompressed[1:33]
    assert key_field("P-256", field) == field  # already compressed: unchanged


def test_ed25519_field_is_the_tag_and_the_raw_key() -> None:
    key = SigningKey(bytes(range(32)))
    field = key_field("Ed25519", key.public_key)
    assert field == b"\xed" + key.public_key


@pytest.mark.parametrize(
    ("alg", "public_key"),
    [
        ("Ed25519", b"\x00" * 31),
        ("Ed25519", b"\x00" * 32),  # small order: no signature could be bound to it
        ("P-256", b"\x04" + b"\x01" * 64),  # not on the curve
        ("P-256", b"\x02" + b"\xff" * 32),  # x beyond the field
        ("P-256", b"\x05" + b"\x01" * 32),
        ("P-256", b"\x04" * 10),
        ("RSA", b"\x00" * 32),
    ],
)
def test_keys_that_are_not_device_keys_are_refused(alg: str, public_key: bytes) -> None:
    with pytest.raises(DeviceKeyError):
        key_field(alg, public_key)


@pytest.mark.parametrize(
    "field",
    [b"", b"\xed" * 32, b"\x04" + b"\x01" * 32, b"\x02" + b"\xff" * 32, b"\xed" + b"\x00" * 32, b"\x00" * 33],
)
def test_verify_never_raises_on_a_hostile_field(field: bytes) -> None:
    assert verify_device_signature(field, b"\x01" * 64, MESSAGE) is False


def test_zero_or_short_signatures_are_refused(signer: DeviceSigner) -> None:
    assert not verify_device_signature(signer.field, b"\x00" * 64, MESSAGE)
    assert not verify_device_signature(signer.field, signer.sign(MESSAGE)[:63], MESSAGE)


def test_unknown_tags_are_refused_by_alg_of() -> None:
    with pytest.raises(DeviceKeyError):
        alg_of(b"\x04" + b"\x00" * 32)
    with pytest.raises(DeviceKeyError):
        alg_of(b"\xed" * 5)
