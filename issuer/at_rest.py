"""Secrets the registry must keep readable, sealed so a copy of the database alone does not give them.

Passwords are kept as argon2 hashes, but a one-time-code seed (an officer's or
an applicant's TOTP secret) must be read back to check a code. Such values are
stored as ``sealed1:`` + base64url(nonce | AES-256-GCM ciphertext), under the key
store's data key (keys.keystore, sealed with the key passphrase), and bound to
the row they belong to (the associated data names it), so a sealed value moved to
another account does not open. The key is fetched only when a secret is
written or read: most commands never need the passphrase.

A value without the prefix is read as it stands (written before sealing; it is
sealed when next written). A registry opened without a key source (unit tests of
the stores) keeps values as they are.
"""

from __future__ import annotations

import os
from typing import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.keyset import b64u, unb64u

__all__ = ["PREFIX", "AtRest", "SealedSecretError"]

PREFIX = "sealed1:"


class SealedSecretError(RuntimeError):
    """A sealed value that does not open: another data key, or a value moved or damaged."""


class AtRest:
    """Seals and opens the registry's readable secrets with a data key fetched on first use."""

    def __init__(self, key_source: Callable[[], bytes] | None = None) -> None:
        self._source = key_source
        self._aead: AESGCM | None = None

    @property
    def keyed(self) -> bool:
        return self._source is not None

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            assert self._source is not None
            self._aead = AESGCM(self._source())
        return self._aead

    def seal(self, secret: str, row: str) -> str:
        """The stored form of ``secret`` for the row named ``row`` (e.g. ``officer:wang.li``)."""
        if self._source is None:
            return secret
        nonce = os.urandom(12)
        return PREFIX + b64u(nonce + self._cipher().encrypt(nonce, secret.encode("utf-8"), row.encode("utf-8")))

    def open(self, stored: str, row: str) -> str:
        """The secret a stored value holds; SealedSecretError if it is sealed and does not open here."""
        if not stored.startswith(PREFIX):
            return stored
        if self._source is None:
            raise SealedSecretError("a sealed secret, and no data key to open it")
        raw = unb64u(stored[len(PREFIX):])
        try:
            return self._cipher().decrypt(raw[:12], raw[12:], row.encode("utf-8")).decode("utf-8")
        except (InvalidTag, ValueError):
            raise SealedSecretError(f"the sealed secret of {row} does not open with this data key") from None
