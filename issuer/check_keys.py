"""The issuer's side of check records: the key verifiers seal to, and the verifiers allowed to push.

* The **check-records key** is an X25519 key pair (``keys.sealed_ref``). The
  private half opens the permit references in pushed records; it is read from
  ``ISSUER_CHECKS_KEY_FILE`` (base64 of 32 bytes, owner-only), or in dev mode
  created as ``var/dev/check-records-key``, with the public half beside it as
  ``check-records-public-key`` for a local verifier to pin. A deployment gives
  verifiers the public half (``python -m issuer checks-public-key``) through
  their configuration, not over the network, so no one in between can swap it.
  ``python -m issuer new-checks-key --out FILE`` makes one.
* The **verifiers** that may push are named bearer tokens, kept as SHA-256
  (``ISSUER_VERIFIERS_FILE``: ``[{"name", "sha256"}]``); in dev mode one token
  is created as ``var/dev/verifier-checks-token`` under the name
  ``dev-verifier``. Every batch is attributed to the name whose token it bore.
  ``python -m issuer add-verifier --name N`` adds one and prints its token once.

Without a key or without verifiers (a configured issuer that set neither) the
push endpoint refuses everyone and holders see an empty record.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from keys.edge.files import create_private, write_private
from keys.keypair import KeyFileError
from keys.sealed_ref import new_private_key, public_key_of
from keys.storeconfig import dev_secret

from .config import Config
from .devkeys import token_digest

__all__ = ["CheckKeys", "DEV_VERIFIER", "add_verifier", "open_check_keys", "public_key_text"]

log = logging.getLogger("issuer.checks")

KEY_FILE = "check-records-key"
PUBLIC_KEY_FILE = "check-records-public-key"
TOKEN_FILE = "verifier-checks-token"
DEV_VERIFIER = "dev-verifier"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class CheckKeys:
    """The private key (None: records cannot be opened) and the pushing verifiers' token digests by name."""

    private_key: bytes | None = field(repr=False)
    verifiers: tuple[tuple[str, bytes], ...] = field(repr=False)

    @property
    def public_key(self) -> bytes | None:
        return None if self.private_key is None else public_key_of(self.private_key)

    def verifier_for(self, token: str) -> str | None:
        """The verifier's name whose token this is, every digest compared in constant time."""
        digest = token_digest(token)
        found = None
        for name, expected in self.verifiers:
            if hmac.compare_digest(digest, expected):
                found = name
        return found


def _read_key(path: Path) -> bytes:
    try:
        raw = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
    except (OSError, UnicodeDecodeError, binascii.Error, ValueError) as exc:
        raise KeyFileError("CHECKS_KEY_UNREADABLE", f"cannot read ISSUER_CHECKS_KEY_FILE {path}: {exc}") from None
    if len(raw) != 32:
        raise KeyFileError("CHECKS_KEY_UNREADABLE", f"ISSUER_CHECKS_KEY_FILE {path} must hold 32 bytes in base64")
    return raw


def _read_verifiers(path: Path) -> tuple[tuple[str, bytes], ...]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyFileError("VERIFIERS_UNREADABLE", f"cannot read ISSUER_VERIFIERS_FILE {path}: {exc}") from None
    if not isinstance(entries, list):
        raise KeyFileError("VERIFIERS_UNREADABLE", f"ISSUER_VERIFIERS_FILE {path} must hold a JSON list")
    found = []
    for i, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not _NAME.fullmatch(name) or not isinstance(digest, str) \
                or not _HEX64.fullmatch(digest):
            raise KeyFileError("VERIFIERS_UNREADABLE", f"{path}[{i}] must be {{name, sha256 (64 hex digits)}}")
        found.append((name, bytes.fromhex(digest)))
    return tuple(found)


def _dev_key(dev_dir: Path) -> bytes:
    path = dev_dir / KEY_FILE
    create_private(path, base64.b64encode(new_private_key()).decode("ascii") + "\n")
    key = _read_key(path)
    write_private(dev_dir / PUBLIC_KEY_FILE, base64.b64encode(public_key_of(key)).decode("ascii") + "\n")
    return key


def open_check_keys(config: Config) -> CheckKeys:
    """The configured key and verifiers, or the dev ones in dev mode; KeyFileError if a file is unusable."""
    if config.checks_key_file is not None:
        key: bytes | None = _read_key(config.checks_key_file)
    elif config.dev_mode:
        key = _dev_key(config.dev_dir)
    else:
        key = None
    if config.verifiers_file is not None:
        verifiers = _read_verifiers(config.verifiers_file)
    elif config.dev_mode:
        token = dev_secret(config.dev_dir / TOKEN_FILE).decode("utf-8")
        verifiers = ((DEV_VERIFIER, token_digest(token)),)
    else:
        verifiers = ()
    if key is None or not verifiers:
        log.warning("check records from verifiers are off: set ISSUER_CHECKS_KEY_FILE and ISSUER_VERIFIERS_FILE")
    return CheckKeys(key, verifiers)


def public_key_text(config: Config) -> str:
    """The check-records public key in base64, as a verifier's VERIFIER_CHECKS_PUBLIC_KEY_FILE holds it."""
    key = open_check_keys(config).public_key
    if key is None:
        raise KeyFileError("CHECKS_KEY_UNREADABLE", "no check-records key: set ISSUER_CHECKS_KEY_FILE")
    return base64.b64encode(key).decode("ascii")


def add_verifier(path: Path, name: str) -> str:
    """Append a verifier to the verifiers file and return its token (shown once, only its hash is kept)."""
    if not _NAME.fullmatch(name):
        raise KeyFileError("VERIFIERS_UNREADABLE", "a verifier name is 1-64 letters, digits or _.:@-")
    existing = list(_read_verifiers(path)) if path.exists() else []
    if any(n == name for n, _ in existing):
        raise KeyFileError("VERIFIERS_UNREADABLE", f"a verifier named {name!r} already exists in {path}")
    token = "vt_" + secrets.token_urlsafe(32)
    entries = [{"name": n, "sha256": d.hex()} for n, d in [*existing, (name, token_digest(token))]]
    write_private(path, json.dumps(entries, indent=2) + "\n")
    return token
