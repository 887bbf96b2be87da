"""An organisation manages its own API keys: create (named, shown once), list, revoke.

A business should not wait for the verifier's operators to give a new counter a
key or to end the key of a lost handheld. So an organisation may hold
**admin keys** (made by an operator: ``python -m verifier add-key --organisation
ID --admin``) that manage the keys of that organisation and no other, through
``/v1/keys`` (``verifier.http.keys_api``) and the page ``/business/keys``; the
operator's command line does the same for any key (``keys``, ``revoke-key``).

Every act is attributed: a new key records when and by which key (or
``operator:<login>``) it was made; a revoked key stays in the key file with
when and by whom it was revoked, so its name is never reused and the record
outlives it. The key file is the one place keys live (every worker reads it,
``verifier.auth.KeyRegistry``), so a revocation written here is refused by
every worker from its next request. Writes run under ``key_file_lock``.

Keys made here are named ``<organisation>.<label>``, so names never collide
across organisations and a key's name in a log says whose it is.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from keys.edge.env import ConfigError

from .auth import ApiKey, generate_key, key_digest, key_file_lock, load_keys, write_keys_file
from .officer_signin import OFFICER_PREFIX

log = logging.getLogger("verifier.key_admin")

LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
#: keys in use per organisation: enough for every counter, small enough that a stolen admin key cannot bloat the file
MAX_LIVE_KEYS = 50
#: entries per organisation, revoked ones included (they are kept for the record)
MAX_ENTRIES = 500


class KeyAdminError(Exception):
    """A refused act; ``code`` is the error code the API answers (``verifier.http.errors``)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class NewKey:
    """A key just made: its entry and the plain key, which exists only in this answer."""

    key: ApiKey
    plain: str


def iso_now(now: float) -> str:
    return datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def key_summary(key: ApiKey) -> dict[str, object]:
    """What a listing shows of a key: never its hash."""
    return {
        "name": key.name, "role": key.role, "organisation": key.organisation, "admin": key.admin,
        "created_at": key.created_at, "created_by": key.created_by,
        "revoked_at": key.revoked_at, "revoked_by": key.revoked_by,
    }


def keys_of(path: Path, organisation: str | None) -> list[ApiKey]:
    """The keys of ``organisation`` (every key when None), revoked ones included, as the file has them now."""
    keys = load_keys(path) if path.exists() else []
    return [k for k in keys if organisation is None or k.organisation == organisation]


def create_key(path: Path, admin: ApiKey, label: str, now: float) -> NewKey:
    """A new key of ``admin``'s organisation and role, named ``<organisation>.<label>``, made by ``admin``."""
    organisation = _managed(admin)
    if not isinstance(label, str) or not LABEL_RE.match(label):
        raise KeyAdminError("INVALID_INPUT", "'name' must be 1-32 letters, digits, _ or - (starting with a letter or digit)")
    name = f"{organisation}.{label}"
    if len(name) > 64 or name.startswith(OFFICER_PREFIX):
        raise KeyAdminError("INVALID_INPUT", "the organisation id and 'name' together are too long")
    with key_file_lock(path):
        keys = load_keys(path)
        if any(k.name == name for k in keys):
            raise KeyAdminError("KEY_NAME_TAKEN", f"a key named {name!r} exists (or existed: names are never reused)")
        own = [k for k in keys if k.organisation == organisation]
        if len([k for k in own if not k.revoked]) >= MAX_LIVE_KEYS or len(own) >= MAX_ENTRIES:
            raise KeyAdminError("KEY_LIMIT_REACHED", f"at most {MAX_LIVE_KEYS} keys in use per organisation")
        plain = generate_key()
        key = ApiKey(name, admin.role, key_digest(plain), organisation, False, iso_now(now), admin.name)
        write_keys_file(path, [*(k.to_json() for k in keys), key.to_json()])
    log.info("API key %s created by %s", name, admin.name)
    return NewKey(key, plain)


def revoke_key(path: Path, name: str, by: str, now: float, *, organisation: str | None = None) -> ApiKey:
    """Revoke the key ``name`` (of ``organisation``, when given), recording ``by``; revoking twice changes nothing."""
    with key_file_lock(path):
        keys = load_keys(path) if path.exists() else []
        found = next((k for k in keys if k.name == name), None)
        if found is None or (organisation is not None and found.organisation != organisation):
            raise KeyAdminError("KEY_NOT_FOUND", f"no key named {name!r}" + (" in this organisation" if organisation else ""))
        if found.revoked:
            return found
        revoked = ApiKey(found.name, found.role, found.digest, found.organisation, found.admin,
                         found.created_at, found.created_by, iso_now(now), by)
        write_keys_file(path, [(revoked if k.name == name else k).to_json() for k in keys])
    log.info("API key %s revoked by %s", name, by)
    return revoked


def revoke_for(path: Path, admin: ApiKey, name: str, now: float) -> ApiKey:
    """``admin`` revokes a key of its own organisation (not itself: that would lock it out mid-act)."""
    organisation = _managed(admin)
    if name == admin.name:
        raise KeyAdminError("KEY_IS_YOURS", "the key making this request cannot revoke itself")
    return revoke_key(path, name, admin.name, now, organisation=organisation)


def _managed(admin: ApiKey) -> str:
    """The organisation ``admin`` manages; KEYS_ADMIN_ONLY when it manages none."""
    if not admin.admin or admin.organisation is None or admin.revoked:
        raise KeyAdminError("KEYS_ADMIN_ONLY", "only an organisation's admin key manages its keys")
    return admin.organisation


def check_operator_name(by: str) -> str:
    """``operator:<login>`` for acts on the command line; ConfigError for a name the key file cannot hold."""
    actor = by if by.startswith("operator:") else f"operator:{by}"
    if not re.match(r"^operator:[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}$", actor):
        raise ConfigError("--by must be a login name (letters, digits, _.@-)")
    return actor
