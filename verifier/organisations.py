"""Verifier organisations: who stands behind an API key, by name, as a holder will read it.

A holder who asks "who checked my permit" must be told a name they can
recognise ("链家地产海淀店 / Lianjia Haidian"), not a key name chosen by an
operator ("lj-hd-03"). So every key belongs to an organisation registered with
a display name in Chinese and English and a role; several keys (one per shop
counter or handheld) may share one.

The organisations file is a JSON list ``[{"id", "name_zh", "name_en", "role"}]``
beside the key file (``organisations.json`` in the key file's directory, or
``VERIFIER_ORGANISATIONS_FILE``). A key names its organisation with an optional
``"organisation"`` field; a key without one (every key file written before
organisations existed) is its own organisation, named by the key name, so old
key files stay valid and their checks are still attributed to someone.

Officers signed in on a handheld with their issuer account (``officer:<name>``)
belong to the organisation ``officers`` (registered to rename it, else
``OFFICERS``). A key's role is what decides disclosure (``verifier.auth``); the
organisation's role must be the same, which ``add_key`` checks when the key is
made, and a key whose organisation disagrees or has gone is treated as its own.

``OrganisationBook`` re-reads the file when it changes (at most once a second),
as ``verifier.auth.KeyRegistry`` does for keys.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from keys.edge.env import ConfigError, json_entries
from keys.edge.files import write_private

from .auth import NAME_RE, OFFICIAL, ROLES, add_key
from .officer_signin import OFFICER_PREFIX

__all__ = [
    "OFFICERS",
    "OFFICERS_ID",
    "Organisation",
    "OrganisationBook",
    "add_member_key",
    "add_organisation",
    "load_organisations",
    "organisation_of",
    "own_organisation",
    "parse_organisations",
]

log = logging.getLogger("verifier.organisations")

MAX_NAME_CHARS = 80
OFFICERS_ID = "officers"
RELOAD_CHECK_S = 1.0


@dataclass(frozen=True)
class Organisation:
    """A verifier organisation: ``id`` as keys name it, display names, and the role of its keys."""

    id: str
    name_zh: str
    name_en: str
    role: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name_zh": self.name_zh, "name_en": self.name_en, "role": self.role}


OFFICERS = Organisation(OFFICERS_ID, "公安民警（手持核验终端）", "Police officer (handheld scanner)", OFFICIAL)


def _display_name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_CHARS:
        raise ConfigError(f"{where} must be 1-{MAX_NAME_CHARS} characters")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise ConfigError(f"{where} must not hold control characters")
    return value.strip()


def _organisation(entry: Any, where: str) -> Organisation:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be an object")
    org_id, role = entry.get("id"), entry.get("role")
    if not isinstance(org_id, str) or not NAME_RE.match(org_id):
        raise ConfigError(f"{where}.id must be 1-64 letters, digits or _.:@- (starting with a letter or digit)")
    if role not in ROLES:
        raise ConfigError(f"{where}.role must be 'official' or 'business'")
    return Organisation(org_id, _display_name(entry.get("name_zh"), f"{where}.name_zh"),
                        _display_name(entry.get("name_en"), f"{where}.name_en"), role)


def parse_organisations(document: str, source: str) -> list[Organisation]:
    """The organisations in a file's text; ConfigError saying which entry is wrong."""
    entries = json_entries(document, source, "id, name_zh, name_en, role")
    found: list[Organisation] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        org = _organisation(entry, f"{source}[{i}]")
        if org.id in seen:
            raise ConfigError(f"{source}[{i}].id {org.id!r} appears twice")
        seen.add(org.id)
        found.append(org)
    return found


def load_organisations(path: Path) -> list[Organisation]:
    """The file's organisations; none when it does not exist yet (no organisation registered)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ConfigError(f"cannot read the organisations file {path}: {exc.strerror}") from None
    return parse_organisations(text, str(path))


def add_organisation(path: Path, org_id: str, name_zh: str, name_en: str, role: str) -> Organisation:
    """Register an organisation (its id must be new) and rewrite the file atomically, owner-only."""
    org = _organisation({"id": org_id, "name_zh": name_zh, "name_en": name_en, "role": role}, "organisation")
    existing = load_organisations(path)
    if any(o.id == org.id for o in existing):
        raise ConfigError(f"an organisation with id {org.id!r} already exists in {path}")
    write_private(path, json.dumps([o.to_json() for o in [*existing, org]], ensure_ascii=False, indent=2) + "\n")
    return org


def add_member_key(keys_file: Path, organisations_file: Path, name: str, organisation: str,
                   role: str | None = None, *, admin: bool = False, created_at: str | None = None,
                   created_by: str | None = None) -> tuple[Organisation, str]:
    """A new key of a registered organisation, in its role: (the organisation, the plain key).
    ``admin``: the key manages the organisation's keys (``verifier.key_admin``)."""
    org = {o.id: o for o in load_organisations(organisations_file)}.get(organisation)
    if org is None:
        raise ConfigError(f"no organisation {organisation!r} in {organisations_file} "
                          "(register it with `python -m verifier add-organisation`)")
    if role is not None and role != org.role:
        raise ConfigError(f"organisation {org.id!r} is {org.role}: its keys cannot be {role}")
    return org, add_key(keys_file, name, org.role, org.id, admin=admin, created_at=created_at, created_by=created_by)


def own_organisation(name: str, role: str) -> Organisation:
    """What a key without an organisation is: itself, named by its key name."""
    return Organisation(name, name, name, role)


def organisation_of(orgs: dict[str, Organisation], name: str, role: str, organisation: str | None) -> Organisation:
    """The organisation of a caller (key or officer session) as holders are told it."""
    if name.startswith(OFFICER_PREFIX):
        return orgs.get(OFFICERS_ID, OFFICERS)
    org = orgs.get(organisation) if organisation else None
    if org is None or org.role != role:
        return own_organisation(name, role)
    return org


class OrganisationBook:
    """The registered organisations, reloaded when the file changes; a broken file keeps the last good list."""

    def __init__(self, path: Path | None, *, clock: Callable[[], float]) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._next_check = 0.0
        self._mtime: int | None = None
        self._orgs: dict[str, Organisation] = {}
        if path is not None:
            self._mtime = self._stat()
            self._orgs = {o.id: o for o in load_organisations(path)}

    def _stat(self) -> int | None:
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
            if mtime == self._mtime:
                return
            self._mtime = mtime
            try:
                self._orgs = {o.id: o for o in load_organisations(self.path)}
            except ConfigError as exc:
                log.error("organisations file not reloaded, keeping %d: %s", len(self._orgs), exc)

    def all(self) -> list[Organisation]:
        self._maybe_reload()
        return list(self._orgs.values())

    def of(self, name: str, role: str, organisation: str | None) -> Organisation:
        """``organisation_of`` against the current file."""
        self._maybe_reload()
        return organisation_of(self._orgs, name, role, organisation)
