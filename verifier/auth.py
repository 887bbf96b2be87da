"""API keys: who may ask for a verdict, and in which role.

Keys are random 256-bit tokens shown once when created; the key file keeps only
their SHA-256, so a copy of the file lets no one call the service. (A slow
password hash is unnecessary: nobody can guess a 256-bit key, and SHA-256 keeps
the check cheap on every request.) A presented key is hashed and compared with
every stored hash in constant time, without stopping at the first match, so the
response time says nothing about how close a guess came.

The key file is a JSON list ``[{"name", "role", "sha256"}]``, each entry with an
optional ``"organisation"``: the id of the verifier organisation the key
belongs to (``verifier.organisations``; a key without one is its own). The registry
re-reads it when its modification time changes (checked at most once a second),
so ``python -m verifier add-key`` or removing a key takes effect without a
restart; a file that became invalid is ignored and the keys already loaded stay.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from keys.edge.env import ConfigError
from keys.edge.files import write_private

log = logging.getLogger("verifier.auth")

OFFICIAL = "official"
BUSINESS = "business"
ROLES = (OFFICIAL, BUSINESS)
KEY_PREFIX = "vk_"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
RELOAD_CHECK_S = 1.0


@dataclass(frozen=True)
class ApiKey:
    """One configured caller. ``digest`` is the SHA-256 of the key."""

    name: str
    role: str
    digest: bytes
    organisation: str | None = None

    def __repr__(self) -> str:
        return f"ApiKey(name={self.name!r}, role={self.role!r}, organisation={self.organisation!r})"

    def to_json(self) -> dict[str, str]:
        entry = {"name": self.name, "role": self.role, "sha256": self.digest.hex()}
        if self.organisation is not None:
            entry["organisation"] = self.organisation
        return entry


@dataclass(frozen=True)
class Caller:
    """The authenticated identity of a request; ``via`` is "key" or "session"."""

    name: str
    role: str
    via: str


def generate_key() -> str:
    """A new plain API key (shown once, never stored)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(plain: str) -> bytes:
    return hashlib.sha256(plain.encode("utf-8", "surrogatepass")).digest()


def parse_keys(document: str, source: str) -> list[ApiKey]:
    """The keys in a key file's text; ConfigError saying which entry is wrong."""
    try:
        entries = json.loads(document)
    except ValueError as exc:
        raise ConfigError(f"{source} is not JSON: {exc}") from None
    if not isinstance(entries, list):
        raise ConfigError(f"{source} must hold a JSON list of {{name, role, sha256}}")
    keys: list[ApiKey] = []
    names: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"{source}[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be an object")
        name, role, digest = entry.get("name"), entry.get("role"), entry.get("sha256")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise ConfigError(f"{where}.name must be 1-64 letters, digits or _.:@-")
        if name in names:
            raise ConfigError(f"{where}.name {name!r} appears twice")
        if role not in ROLES:
            raise ConfigError(f"{where}.role must be 'official' or 'business'")
        if not isinstance(digest, str) or not _HEX64.match(digest):
            raise ConfigError(f"{where}.sha256 must be 64 lowercase hex digits")
        organisation = entry.get("organisation")
        if organisation is not None and (not isinstance(organisation, str) or not NAME_RE.match(organisation)):
            raise ConfigError(f"{where}.organisation must be an organisation id (1-64 letters, digits or _.:@-)")
        names.add(name)
        keys.append(ApiKey(name, role, bytes.fromhex(digest), organisation))
    return keys


def load_keys(path: Path) -> list[ApiKey]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the API key file {path}: {exc.strerror}") from None
    return parse_keys(text, str(path))


def write_keys_file(path: Path, entries: list[dict[str, str]]) -> None:
    """Replace the key file atomically, readable by its owner only."""
    write_private(path, json.dumps(entries, indent=2) + "\n")


def add_key(path: Path, name: str, role: str, organisation: str | None = None) -> str:
    """Append a new key to the file and return the plain key (the only time it exists).

    ``organisation`` is the id of a registered organisation (the caller checks
    that it exists and has the same role: ``verifier.organisations``).
    """
    if role not in ROLES:
        raise ConfigError("role must be 'official' or 'business'")
    if not NAME_RE.match(name):
        raise ConfigError("name must be 1-64 letters, digits or _.:@- (starting with a letter or digit)")
    existing = load_keys(path) if path.exists() else []
    if any(k.name == name for k in existing):
        raise ConfigError(f"a key named {name!r} already exists in {path}")
    plain = generate_key()
    entries = [k.to_json() for k in existing]
    entries.append(ApiKey(name, role, key_digest(plain), organisation).to_json())
    write_keys_file(path, entries)
    return plain


class KeyRegistry:
    """The configured API keys, looked up in constant time, reloaded when the file changes."""

    def __init__(self, path: Path | None, keys: list[ApiKey] | None = None, *, clock: Callable[[], float]) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._next_check = 0.0
        if keys is None:
            if path is None:
                raise ValueError("a key registry needs a file or a list of keys")
            self._mtime = self._stat()
            keys = load_keys(path)
        self._keys = tuple(keys)
        self._by_name = {k.name: k for k in self._keys}

    def _stat(self) -> float | None:
        try:
            return os.stat(self.path).st_mtime_ns if self.path else None
        except OSError:
            return None

    def _maybe_reload(self) -> None:
        if self.path is None:
            return
        now = self._clock()
        if now < self._next_check:
            return
        with self._lock:
            if now < self._next_check:
                return
            self._next_check = now + RELOAD_CHECK_S
            mtime = self._stat()
            if mtime is None or mtime == self._mtime:
                return
            try:
                keys = load_keys(self.path)
            except ConfigError as exc:
                log.error("API key file not reloaded, keeping %d keys: %s", len(self._keys), exc)
                self._mtime = mtime
                return
            self._mtime = mtime
            self._keys = tuple(keys)
            self._by_name = {k.name: k for k in keys}
            log.info("API key file reloaded: %d keys", len(keys))

    def __len__(self) -> int:
        return len(self._keys)

    def lookup(self, plain: str) -> ApiKey | None:
        """The key whose hash matches ``plain``, checking every key in constant time."""
        self._maybe_reload()
        if not plain or len(plain) > 512:
            return None
        digest = key_digest(plain)
        found: ApiKey | None = None
        for key in self._keys:
            if hmac.compare_digest(digest, key.digest):
                found = key
        return found

    def by_name(self, name: str) -> ApiKey | None:
        """The key still configured under ``name`` (sessions die with their key)."""
        self._maybe_reload()
        return self._by_name.get(name)
