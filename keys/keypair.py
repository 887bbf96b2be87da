"""Ed25519 key pairs: signing for the issuer, raw public keys for verifiers.

Signing and verifying go through libsodium (PyNaCl): its verify costs about half of
OpenSSL's here, and the verifier's throughput is bounded by that one call. Keys are
stored as PKCS#8 encrypted with a passphrase (through ``cryptography``, which
writes the standard container), so any tool that reads PKCS#8 can audit them.

A key is named by its ``kid``: the first 4 bytes of SHA-256 over the 32-byte raw
public key. Four bytes keep a QR code small (every byte counts to stay within QR
version 6) while an accidental clash between an issuer's keys (a handful over
the years) stays negligible; the key store refuses a clash when it creates a key.
"""

from __future__ import annotations

import hashlib

import nacl.bindings as _sodium
import nacl.exceptions
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KID_LENGTH = 4
SIGNATURE_LENGTH = 64
PUBLIC_KEY_LENGTH = 32


class KeyFileError(Exception):
    """A key file could not be used. ``code`` is stable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def kid_for(public_key: bytes) -> bytes:
    """The key id of a raw Ed25519 public key."""
    if len(public_key) != PUBLIC_KEY_LENGTH:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return hashlib.sha256(public_key).digest()[:KID_LENGTH]


class SigningKey:
    """An Ed25519 private key. Its repr never shows key material."""

    __slots__ = ("_secret", "public_key", "kid")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        self.public_key, self._secret = _sodium.crypto_sign_seed_keypair(seed)
        self.kid = kid_for(self.public_key)

    @classmethod
    def generate(cls) -> "SigningKey":
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        return cls(seed)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte detached signature of ``message``."""
        return _sodium.crypto_sign(message, self._secret)[:SIGNATURE_LENGTH]

    def to_encrypted_pem(self, passphrase: bytes) -> bytes:
        """PKCS#8, encrypted with the best scheme ``cryptography`` offers."""
        if not passphrase:
            raise ValueError("refusing to write a private key without a passphrase")
        key = Ed25519PrivateKey.from_private_bytes(self._secret[:32])
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )

    @classmethod
    def from_encrypted_pem(cls, data: bytes, passphrase: bytes) -> "SigningKey":
        """Load a key written by ``to_encrypted_pem``; KeyFileError on any problem."""
        try:
            key = serialization.load_pem_private_key(data, password=passphrase)
        except TypeError:
            raise KeyFileError("KEY_NOT_ENCRYPTED", "the private key file is not encrypted") from None
        except ValueError:
            raise KeyFileError(
                "BAD_PASSPHRASE_OR_FILE",
                "cannot decrypt the private key: wrong passphrase or damaged key file",
            ) from None
        except Exception:
            raise KeyFileError("BAD_KEY_FILE", "the private key file cannot be read") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError("NOT_ED25519", "the private key is not an Ed25519 key")
        return cls(key.private_bytes_raw())

    def __repr__(self) -> str:
        return f"SigningKey(kid={self.kid.hex()})"


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message``."""
    try:
        _sodium.crypto_sign_open(signature + message, public_key)
    except nacl.exceptions.BadSignatureError:
        return False
    except (nacl.exceptions.ValueError, nacl.exceptions.TypeError):
        return False
    return True
