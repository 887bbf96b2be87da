"""API keys: who may ask for a verdict, and in which role.

Keys are random 256-bit tokens shown once when created; the key file keeps only
their SHA-256, so a copy of the file lets no one call the service. (A slow
password hash is unnecessary: nobody can guess a 256-bit key, and SHA-256 keeps
the check cheap on every request.) A presented key is hashed and compared with
every stored hash in constant time, without stopping at the first match, so the
response time says nothing about how close a guess came.

The key file is a JSON list ``[{"name", "role", "sha256"}]``, each entry with an
optional ``"organisation"``: the id of the verifier organisation the key
belongs to (``verifier.organisations``; a key without one is its own). Keys
managed by their organisation (``verifier.key_admin``) also carry ``"admin"``
(may manage its organisation's keys), ``"created_at"``/``"created_by"`` and,
once revoked, ``"revoked_at"``/``"revoked_by"``: a revoked key stays in the file
so its name is never reused and the record says who ended it, but it matches
nothing.

Every worker process reads the file itself, so the file is the one place keys
live. The registry looks at the file (one ``stat``, about a microsecond) on
every lookup and re-reads it when its inode, modification time or size changed
(every write replaces it atomically, so the inode changes each time): a key
revoked through any worker or ``python -m verifier revoke-key`` is refused by
every worker from its next request, and sessions end with their key. A file
that became invalid is ignored and the keys already loaded stay. Writers
serialise through ``key_file_lock`` so two acts at once never lose one another.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from keys.edge.env import ConfigError, json_entries
from keys.edge.files import write_private

log = logging.getLogger("verifier.auth")

OFFICIAL = "official"
BUSINESS = "business"
ROLES = (OFFICIAL, BUSINESS)
KEY_PREFIX = "vk_"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
#: who made or ended a key: a key name, or ``operator:<login>`` on the command line
_ACTOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,79}$")
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_HISTORY = ("created_at", "created_by", "revoked_at", "revoked_by")


@dataclass(frozen=True)
class ApiKey:
    """One configured caller. ``digest`` is the SHA-256 of the key."""

    name: str
    role: str
    digest: bytes
    organisation: str | None = None
    admin: bool = False
    created_at: str | None = None
    created_by: str | None = None
    revoked_at: str | None = None
    revoked_by: str | None = None

    def __repr__(self) -> str:
        return f"ApiKey(name={self.name!r}, role={self.role!r}, organisation={self.organisation!r})"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": self.name, "role": self.role, "sha256": self.digest.hex()}
        if self.organisation is not None:
            entry["organisation"] = self.organisation
        if self.admin:
            entry["admin"] = True
        for field in _HISTORY:
            if getattr(self, field) is not None:
                entry[field] = getattr(self, field)
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
    entries = json_entries(document, source, "name, role, sha256")
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
        admin = entry.get("admin", False)
        if not isinstance(admin, bool):
            raise ConfigError(f"{where}.admin must be true or false")
        names.add(name)
        keys.append(ApiKey(name, role, bytes.fromhex(digest), organisation, admin, **_history(entry, where)))
    return keys


def _history(entry: dict[str, Any], where: str) -> dict[str, str | None]:
    """A key's created and revoked times (ISO 8601, UTC) and who made and ended it."""
    found: dict[str, str | None] = {}
    for field in _HISTORY:
        value = entry.get(field)
        pattern = _ISO_RE if field.endswith("_at") else _ACTOR_RE
        if value is not None and (not isinstance(value, str) or not pattern.match(value)):
            raise ConfigError(f"{where}.{field} must be " + ("an ISO time in UTC" if field.endswith("_at") else "a key or operator name"))
        found[field] = value
    if (found["revoked_at"] is None) != (found["revoked_by"] is None):
        raise ConfigError(f"{where}: revoked_at and revoked_by go together")
    return found


def load_keys(path: Path) -> list[ApiKey]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the API key file {path}: {exc.strerror}") from None
    return parse_keys(text, str(path))


def write_keys_file(path: Path, entries: list[dict[str, Any]]) -> None:
    """Replace the key file atomically, readable by its owner only."""
    write_private(path, json.dumps(entries, indent=2) + "\n")


@contextmanager
def key_file_lock(path: Path) -> Iterator[None]:
    """Hold the key file's write lock (a sibling ``.lock`` file, ``flock``): every read-modify-write
    of the file, from any worker or the command line, runs under it, so none is lost."""
    lock_path = path.with_name(f".{path.name}.lock")
    lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def add_key(path: Path, name: str, role: str, organisation: str | None = None, *, admin: bool = False,
            created_at: str | None = None, created_by: str | None = None) -> str:
    """Append a new key to the file and return the plain key (the only time it exists).

    ``organisation`` is the id of a registered organisation (the caller checks
    that it exists and has the same role: ``verifier.organisations``); ``admin``
    lets the key manage that organisation's keys (``verifier.key_admin``).
    """
    if role not in ROLES:
        raise ConfigError("role must be 'official' or 'business'")
    if not NAME_RE.match(name):
        raise ConfigError("name must be 1-64 letters, digits or _.:@- (starting with a letter or digit)")
    if admin and organisation is None:
        raise ConfigError("an admin key manages its organisation's keys: give it an organisation")
    with key_file_lock(path):
        existing = load_keys(path) if path.exists() else []
        if any(k.name == name for k in existing):
            raise ConfigError(f"a key named {name!r} already exists in {path}")
        plain = generate_key()
        entries = [k.to_json() for k in existing]
        entries.append(ApiKey(name, role, key_digest(plain), organisation, admin, created_at, created_by).to_json())
        write_keys_file(path, entries)
    return plain


class KeyRegistry:
    """The configured API keys, looked up in constant time, reloaded as soon as the file changes."""

    def __init__(self, path: Path | None, keys: list[ApiKey] | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        if keys is None:
            if path is None:
                raise ValueError("a key registry needs a file or a list of keys")
            self._seen = self._stat()
            keys = load_keys(path)
        self._use(keys)

    def _use(self, keys: list[ApiKey]) -> None:
        live = tuple(k for k in keys if not k.revoked)
        self._keys = live
        self._by_name = {k.name: k for k in live}

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path) if self.path else None
        except OSError:
            return None
        return None if st is None else (st.st_ino, st.st_mtime_ns, st.st_size)

    def _maybe_reload(self) -> None:
        if self.path is None:
            return
        seen = self._stat()
        if seen is None or seen == self._seen:
            return
        with self._lock:
            if seen == self._seen:
                return
            try:
                keys = load_keys(self.path)
            except ConfigError as exc:
                log.error("API key file not reloaded, keeping %d keys: %s", len(self._keys), exc)
                self._seen = seen
                return
            self._seen = seen
            self._use(keys)
            log.info("API key file reloaded: %d keys in use", len(self._keys))

    def __len__(self) -> int:
        return len(self._keys)

    def lookup(self, plain: str) -> ApiKey | None:
        """The key in use whose hash matches ``plain``, checking every key in constant time."""
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
        """The key still in use under ``name`` (sessions die with their key)."""
        self._maybe_reload()
        return self._by_name.get(name)
