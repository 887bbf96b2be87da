"""The issuer's key directory: encrypted private keys, their lifetimes, rotation.

Layout of the directory::

    keyring.json          public metadata: kid, file, not_before, not_after, status
    <kid>.pem             Ed25519 private key, PKCS#8 encrypted with the passphrase
    rotation-secret.bin   the TOTP rotation secret, AES-256-GCM under a scrypt key
    data-key.bin          the key that seals the issuer's stored secrets (officers' and
                          applicants' one-time-code seeds), sealed the same way

Rotation: the newest active key signs. Rotating creates a new key and retires the
previous one: it stops signing but keeps verifying until ``not_after``, which is
set to at least ``now + max_validity_s`` (the longest validity of anything the
issuer signs, a paper slip), so nothing it signed stops verifying early.

The passphrase comes from ``PERMIT_KEY_PASSPHRASE`` or the file named by
``PERMIT_KEY_PASSPHRASE_FILE``; it is never written next to the keys.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .edge.files import create_private, private_dir
from .keypair import KeyFileError, SigningKey
from .keyset import KeyInfo, KeySet, b64u, unb64u

KEYRING = "keyring.json"
ROTATION_SECRET = "rotation-secret.bin"
DATA_KEY = "data-key.bin"
_SECRET_MAGIC = b"PRS1"
YEAR_S = 366 * 86400
DEFAULT_SIGNING_LIFETIME_S = 2 * YEAR_S
DEFAULT_MAX_VALIDITY_S = YEAR_S


def passphrase_from_env(env: Mapping[str, str] | None = None) -> bytes:
    """The key passphrase from the environment; KeyFileError when it is not set."""
    env = os.environ if env is None else env
    value = env.get("PERMIT_KEY_PASSPHRASE")
    if value:
        return value.encode("utf-8")
    path = env.get("PERMIT_KEY_PASSPHRASE_FILE")
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise KeyFileError("PASSPHRASE_FILE_UNREADABLE", f"cannot read the passphrase file {path}: {exc.strerror}") from None
        if text:
            return text.encode("utf-8")
    raise KeyFileError(
        "PASSPHRASE_MISSING",
        "no key passphrase: set PERMIT_KEY_PASSPHRASE or PERMIT_KEY_PASSPHRASE_FILE",
    )


def _kdf(salt: bytes) -> Scrypt:
    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1)


def seal_secret(secret: bytes, passphrase: bytes) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _kdf(salt).derive(passphrase)
    return _SECRET_MAGIC + salt + nonce + AESGCM(key).encrypt(nonce, secret, _SECRET_MAGIC)


def open_secret(blob: bytes, passphrase: bytes) -> bytes:
    if not blob.startswith(_SECRET_MAGIC) or len(blob) < 4 + 16 + 12 + 16:
        raise KeyFileError("BAD_SECRET_FILE", "a sealed secret file (rotation secret or data key) is damaged")
    salt, nonce, sealed = blob[4:20], blob[20:32], blob[32:]
    try:
        return AESGCM(_kdf(salt).derive(passphrase)).decrypt(nonce, sealed, _SECRET_MAGIC)
    except InvalidTag:
        raise KeyFileError("BAD_PASSPHRASE_OR_FILE", "cannot decrypt a sealed secret file: wrong passphrase or damaged file") from None


@dataclass(frozen=True)
class KeyRecord:
    kid: str
    file: str
    public_key: str
    not_before: int
    not_after: int
    status: str


class KeyStore:
    """A directory of issuer keys, opened with the passphrase."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        passphrase: bytes,
        *,
        signing_lifetime_s: int = DEFAULT_SIGNING_LIFETIME_S,
        max_validity_s: int = DEFAULT_MAX_VALIDITY_S,
    ) -> None:
        if not passphrase:
            raise KeyFileError("PASSPHRASE_MISSING", "an empty passphrase cannot protect keys")
        self.directory = Path(directory)
        self._passphrase = passphrase
        self.signing_lifetime_s = signing_lifetime_s
        self.max_validity_s = max_validity_s
        self._signer_cache: SigningKey | None = None

    def __repr__(self) -> str:
        return f"KeyStore({str(self.directory)!r})"

    # -- metadata -------------------------------------------------------------
    def exists(self) -> bool:
        return (self.directory / KEYRING).is_file()

    def records(self) -> list[KeyRecord]:
        try:
            doc = json.loads((self.directory / KEYRING).read_text(encoding="utf-8"))
            return [KeyRecord(**entry) for entry in doc["keys"]]
        except FileNotFoundError:
            raise KeyFileError("NO_KEYS", f"no keys in {self.directory}: run `python -m keys generate`") from None
        except (ValueError, KeyError, TypeError):
            raise KeyFileError("BAD_KEYRING", f"{self.directory / KEYRING} is damaged") from None

    def _write_records(self, records: list[KeyRecord]) -> None:
        doc = {"format": "permit-keyring/1", "keys": [r.__dict__ for r in records]}
        tmp = self.directory / (KEYRING + ".tmp")
        tmp.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        tmp.replace(self.directory / KEYRING)
        self._signer_cache = None

    def _write_private(self, name: str, data: bytes) -> None:
        path = self.directory / name
        if not create_private(path, data):
            raise FileExistsError(f"{path} already exists")

    # -- operations -----------------------------------------------------------
    def generate(self, now: int) -> KeyRecord:
        """Create the first key and the rotation secret in an empty directory."""
        if self.exists():
            raise KeyFileError("KEYS_EXIST", f"{self.directory} already holds keys; use rotate")
        private_dir(self.directory, restrict=True)
        self._write_private(ROTATION_SECRET, seal_secret(secrets.token_bytes(32), self._passphrase))
        record = self._new_key(now)
        self._write_records([record])
        return record

    def _new_key(self, now: int) -> KeyRecord:
        key = SigningKey.generate()
        name = f"{key.kid.hex()}.pem"
        self._write_private(name, key.to_encrypted_pem(self._passphrase))
        return KeyRecord(key.kid.hex(), name, b64u(key.public_key), now, now + self.signing_lifetime_s + self.max_validity_s, "active")

    def rotate(self, now: int) -> KeyRecord:
        """A new signing key; the previous active keys retire but keep verifying."""
        records = self.records()
        self.signer()  # proves the passphrase before anything changes
        retired = [
            replace(r, status="retired", not_after=now + self.max_validity_s) if r.status == "active"
            else r
            for r in records
        ]
        record = self._new_key(now)
        self._write_records(retired + [record])
        return record

    def signer(self) -> SigningKey:
        """The newest active key, decrypted (cached after the first call)."""
        if self._signer_cache is None:
            active = [r for r in self.records() if r.status == "active"]
            if not active:
                raise KeyFileError("NO_ACTIVE_KEY", "no active signing key: run `python -m keys rotate`")
            newest = max(active, key=lambda r: r.not_before)
            try:
                data = (self.directory / newest.file).read_bytes()
            except OSError:
                raise KeyFileError("KEY_FILE_MISSING", f"private key file {newest.file} is missing") from None
            key = SigningKey.from_encrypted_pem(data, self._passphrase)
            if key.kid.hex() != newest.kid:
                raise KeyFileError("KID_MISMATCH", f"{newest.file} does not hold key {newest.kid}")
            self._signer_cache = key
        return self._signer_cache

    def rotation_secret(self) -> bytes:
        try:
            blob = (self.directory / ROTATION_SECRET).read_bytes()
        except OSError:
            raise KeyFileError("NO_ROTATION_SECRET", "the rotation secret file is missing") from None
        return open_secret(blob, self._passphrase)

    def data_key(self) -> bytes:
        """The data key, made (sealed with the passphrase) on first use: stores made
        before it existed gain one without a migration step."""
        path = self.directory / DATA_KEY
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            self.signer()  # proves the passphrase before a key sealed with it is written
            create_private(path, seal_secret(secrets.token_bytes(32), self._passphrase))  # a racing process may win
            blob = path.read_bytes()
        except OSError:
            raise KeyFileError("NO_DATA_KEY", "the data key file cannot be read") from None
        return open_secret(blob, self._passphrase)

    def public_keyset(self, issued_at: int) -> KeySet:
        """The public key set to publish (public halves only, read from the keyring)."""
        infos = [
            KeyInfo(bytes.fromhex(r.kid), unb64u(r.public_key), r.not_before, r.not_after, r.status)
            for r in self.records()
        ]
        return KeySet(infos, issued_at)
