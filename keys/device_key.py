"""Holder device keys: the public half of a key pair that only the holder's phone holds.

A device-bound pass (wire mode DEVICE) carries the phone's public key, signed by
the issuer; offline, the phone signs the current time step with its private key,
which WebCrypto created as non-extractable. A verifier needs no secret to check
that signature, and a copy of the pass on another phone is useless, because that
phone cannot sign.

Browsers offer one of two algorithms, so a key is one of:

* Ed25519 (RFC 8032): the raw 32-byte public key;
* ECDSA P-256 with SHA-256: the SEC1 point, compressed to 33 bytes (WebCrypto
  exports 65 uncompressed bytes; compressing keeps the QR code at version 10).
  Signatures are WebCrypto's raw ``r || s``, 32 bytes each.

In a pass both travel as one 33-byte field whose first byte names the
algorithm: ``0xED`` followed by the Ed25519 key, or the compressed point itself,
which starts with ``0x02`` or ``0x03``. Its layout is in docs/format.md.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

import nacl.bindings as _sodium
import nacl.exceptions
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from .keypair import SIGNATURE_LENGTH, SigningKey

FIELD_LENGTH = 33
ED25519_TAG = 0xED
P256_TAGS = (0x02, 0x03)
_P256_COORDINATE = 32
_CURVE = ec.SECP256R1()
_ECDSA = ec.ECDSA(hashes.SHA256())
_ECDSA_DETERMINISTIC = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)  # RFC 6979


class DeviceKeyError(ValueError):
    """A public key that cannot be a device key (wrong length, not on the curve)."""


class DeviceAlg(str, Enum):
    """The two algorithms a browser may give a device key, by their WebCrypto names."""

    ED25519 = "Ed25519"
    P256 = "P-256"


def alg_of(field: bytes) -> DeviceAlg:
    """The algorithm a 33-byte key field names; DeviceKeyError for any other first byte."""
    if len(field) != FIELD_LENGTH:
        raise DeviceKeyError("a device key field is 33 bytes")
    if field[0] == ED25519_TAG:
        return DeviceAlg.ED25519
    if field[0] in P256_TAGS:
        return DeviceAlg.P256
    raise DeviceKeyError("unknown device key algorithm")


def key_field(alg: DeviceAlg | str, public_key: bytes) -> bytes:
    """The 33-byte field for a public key as a browser exports it (raw format).

    Ed25519: 32 bytes. P-256: 65 bytes uncompressed (WebCrypto's ``raw``) or 33
    compressed. The key is checked to be a real point, so a pass is never minted
    for a key no signature could match.
    """
    try:
        alg = DeviceAlg(alg)
    except ValueError:
        raise DeviceKeyError("device key algorithm is Ed25519 or P-256") from None
    if alg is DeviceAlg.ED25519:
        if len(public_key) != 32 or not _sodium.crypto_core_ed25519_is_valid_point(public_key):
            raise DeviceKeyError("not an Ed25519 public key")
        return bytes([ED25519_TAG]) + public_key
    if len(public_key) not in (33, 65):
        raise DeviceKeyError("a P-256 public key is 65 bytes (or 33 compressed)")
    try:
        point = ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, public_key)
    except ValueError:
        raise DeviceKeyError("not a P-256 public key") from None
    return _compress(point)


def _compress(point: ec.EllipticCurvePublicKey) -> bytes:
    return point.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


@lru_cache(maxsize=4096)
def _p256_key(field: bytes) -> ec.EllipticCurvePublicKey | None:
    """The loaded P-256 key of a field, cached: decompressing a point costs a square root,
    and a pass is shown every period for up to 72 hours."""
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, field)
    except ValueError:
        return None


def verify_device_signature(field: bytes, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is the device key's signature of ``message``; never raises."""
    if len(signature) != SIGNATURE_LENGTH or len(field) != FIELD_LENGTH:
        return False
    tag = field[0]
    if tag == ED25519_TAG:  # the common case first, with nothing between it and libsodium
        try:
            _crypto_sign_open(signature + message, field[1:])
        except _NACL_REFUSALS:
            return False
        return True
    if tag not in P256_TAGS:
        return False
    key = _p256_key(field)
    if key is None:
        return False
    r = int.from_bytes(signature[:_P256_COORDINATE], "big")
    s = int.from_bytes(signature[_P256_COORDINATE:], "big")
    if not (r and s):
        return False
    try:
        key.verify(encode_dss_signature(r, s), message, _ECDSA)
    except InvalidSignature:
        return False
    return True


_crypto_sign_open = _sodium.crypto_sign_open
_NACL_REFUSALS = (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, nacl.exceptions.TypeError)


class DeviceSigner:
    """A device key pair in Python, as the holder's browser holds one in WebCrypto.

    For test vectors, tests and benchmarks: the product's device keys live only in
    browsers. ``sign`` gives the raw 64-byte signature WebCrypto gives (ECDSA
    deterministic per RFC 6979, so vectors are reproducible).
    """

    __slots__ = ("alg", "field", "_ed25519", "_p256")

    def __init__(self, alg: DeviceAlg | str, secret: bytes) -> None:
        self.alg = DeviceAlg(alg)
        self._ed25519: SigningKey | None = None
        self._p256: ec.EllipticCurvePrivateKey | None = None
        if self.alg is DeviceAlg.ED25519:
            self._ed25519 = SigningKey(secret)
            self.field = key_field(self.alg, self._ed25519.public_key)
        else:
            self._p256 = ec.derive_private_key(int.from_bytes(secret, "big"), _CURVE)
            self.field = _compress(self._p256.public_key())

    def sign(self, message: bytes) -> bytes:
        if self._ed25519 is not None:
            return self._ed25519.sign(message)
        assert self._p256 is not None
        r, s = decode_dss_signature(self._p256.sign(message, _ECDSA_DETERMINISTIC))
        return r.to_bytes(_P256_COORDINATE, "big") + s.to_bytes(_P256_COORDINATE, "big")

    def __repr__(self) -> str:
        return f"DeviceSigner(alg={self.alg.value})"
