"""A credential reference sealed to the issuer: how a verifier names a checked permit without knowing whom.

A verifier records each check for the holder's "who checked my permit" list,
and must link the record to the permit without keeping anything that names it.
The status-list index ("ref") would do, but it is a stable number the issuer's
registry maps to a person, and a hash or an HMAC of it under a key the verifier
holds can be reversed by trying all 2^24 indices. So the verifier seals the
SHA-256 of the 3-byte index (``cred_hash``, the value handhelds already report
for offline scans) to the issuer's public key: an X25519 key agreement with a
fresh ephemeral key, HKDF-SHA256, then AES-256-GCM. Only the holder of the
issuer's private key can open it; a verifier operator, or anyone who copies
the verifier's store with all its secrets, holds 80 random-looking bytes per
record that cannot be opened, compared with a guess, or told apart.

Text form: ``"s1." + base64url(ephemeral public key (32) || ciphertext (32) || tag (16))``.
The key is used once, so the nonce is fixed (zeros); the associated data is the
format line, so a sealed value of another kind can never be taken for one.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["PREFIX", "SealError", "SealingKey", "new_private_key", "open_ref", "public_key_of", "seal_ref"]

PREFIX = "s1."
FORMAT = b"permit-check-ref/1"
HASH_BYTES = 32
_NONCE = bytes(12)
_RAW = serialization.Encoding.Raw
_SEALED_CHARS = len(PREFIX) + len(base64.urlsafe_b64encode(bytes(32 + HASH_BYTES + 16)).rstrip(b"="))


class SealError(ValueError):
    """The text is not a sealed reference, or not one sealed to this key."""


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=ephemeral + recipient, info=FORMAT).derive(shared)


def new_private_key() -> bytes:
    """A new X25519 private key, raw (32 bytes)."""
    return X25519PrivateKey.generate().private_bytes(_RAW, serialization.PrivateFormat.Raw,
                                                     serialization.NoEncryption())


def public_key_of(private_key: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes(
        _RAW, serialization.PublicFormat.Raw)


class SealingKey:
    """The issuer's public key, ready to seal with; ValueError if it is not 32 bytes."""

    def __init__(self, public_key: bytes) -> None:
        if len(public_key) != 32:
            raise ValueError("an X25519 public key is 32 bytes")
        self.public_key = public_key
        self._recipient = X25519PublicKey.from_public_bytes(public_key)

    def seal(self, hashed_ref: bytes) -> str:
        if len(hashed_ref) != HASH_BYTES:
            raise ValueError("a hashed reference is 32 bytes")
        ephemeral = X25519PrivateKey.generate()
        ephemeral_public = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
        key = _key(ephemeral.exchange(self._recipient), ephemeral_public, self.public_key)
        return PREFIX + _b64u(ephemeral_public + AESGCM(key).encrypt(_NONCE, hashed_ref, FORMAT))


def seal_ref(public_key: bytes, hashed_ref: bytes) -> str:
    """``hashed_ref`` (SHA-256 of the 3-byte index) sealed to ``public_key``."""
    return SealingKey(public_key).seal(hashed_ref)


def open_ref(private_key: bytes, sealed: str) -> bytes:
    """The hashed reference inside ``sealed``; SealError if it is not one sealed to this key."""
    if not isinstance(sealed, str) or len(sealed) != _SEALED_CHARS or not sealed.startswith(PREFIX):
        raise SealError("not a sealed reference")
    try:
        raw = _unb64u(sealed[len(PREFIX):])
    except (binascii.Error, ValueError):
        raise SealError("not a sealed reference") from None
    if len(raw) != 32 + HASH_BYTES + 16:
        raise SealError("not a sealed reference")
    me = X25519PrivateKey.from_private_bytes(private_key)
    ephemeral_public = raw[:32]
    try:
        shared = me.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        key = _key(shared, ephemeral_public, public_key_of(private_key))
        return AESGCM(key).decrypt(_NONCE, raw[32:], FORMAT)
    except (InvalidTag, ValueError):
        raise SealError("not sealed to this key") from None
