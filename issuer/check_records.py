"""Who checked my permit, on the issuer's side: records verifiers push, kept for the holder to read.

A verifier sends, for every check of a code whose signature it verified, the
time, its organisation's display names and role, the mode, the verdict, the
NAMES of the claims it was shown, and the permit's reference sealed to the
issuer's key (``keys.sealed_ref``; the reasoning is in verifier.check_records).
Here the sealed reference is opened to the SHA-256 of the 3-byte status index
and stored as such: the holder's page asks for the hashes of every index the
permit has had (each version, each phone's device key, each paper slip), so
the issuer never needs to invert anything and a record of a permit it does not
know is simply never shown.

**Retention**: ``RETENTION`` (180 days, the verifier keeps no longer either).
Older records are refused when pushed, deleted at every push, and never read.

Everything a verifier sends is checked field by field; a bad record is
refused on its own (named by index), never the batch.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from issuer.db import Database
from keys.claims import ref_bytes
from keys.reasons import REASONS, message
from keys.sealed_ref import SealError, open_ref
from keys.vocabulary import CLAIM_FIELD_LABELS, MODE_NAMES, VERIFIER_ROLE_LABELS, Label, Mode

__all__ = ["RETENTION", "CheckRecord", "RecordRefused", "holder_checks", "parse_record", "purge", "store"]

RETENTION = timedelta(days=180)
#: how far ahead of the issuer's clock a verifier's time may be
MAX_AHEAD = timedelta(hours=1)
HOLDER_LIMIT = 200
ROLES = ("official", "business")
_ID = re.compile(r"[0-9a-f]{32}")
_FIELD = re.compile(r"[a-z][a-z_]{0,31}")
_ORG_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}")
MAX_NAME = 80
MAX_FIELDS = 16
MODES = frozenset(MODE_NAMES.values())


class RecordRefused(ValueError):
    """One pushed record is unusable; the message says which field."""


@dataclass(frozen=True)
class CheckRecord:
    record_id: str
    cred_hash: str
    checked_at: datetime
    org_id: str
    org_zh: str
    org_en: str
    role: str
    mode: str | None
    reason: str
    fields: tuple[str, ...]
    offline: bool

    def to_json(self) -> dict[str, Any]:
        """What the holder's page is told (no reference, no record id), with the words to draw it in."""
        return {
            "checked_at": iso(self.checked_at),
            "organisation": {"zh": self.org_zh, "en": self.org_en},
            "role": self.role,
            "role_label": _words(VERIFIER_ROLE_LABELS.get(self.role), self.role),
            "mode": self.mode,
            "mode_label": _words(Mode[self.mode].label if self.mode in MODES else None, self.mode or "—"),
            "reason": self.reason,
            "valid": self.reason == "VALID",
            "message": message(self.reason),
            "fields": list(self.fields),
            "field_labels": [_words(CLAIM_FIELD_LABELS.get(f), f) for f in self.fields],
            "offline": self.offline,
        }


def _words(label: Label | None, fallback: str) -> dict[str, str]:
    return {"zh": label.zh, "en": label.en} if label is not None else {"zh": fallback, "en": fallback}


def iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ref_hash(index: int) -> str:
    """The hex SHA-256 of a status index as verifiers seal it (three bytes, four from 2^24 on)."""
    return hashlib.sha256(ref_bytes(index)).hexdigest()


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise RecordRefused(f"{where} must be 1-{MAX_NAME} characters")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise RecordRefused(f"{where} must not hold control characters")
    return value.strip()


def _time(value: Any, now: datetime) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise RecordRefused("checked_at must be an ISO 8601 time")
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RecordRefused("checked_at must be an ISO 8601 time") from None
    if at.tzinfo is None:
        raise RecordRefused("checked_at needs a time zone")
    if at > now + MAX_AHEAD:
        raise RecordRefused("checked_at is in the future")
    return at


def parse_record(raw: Any, private_key: bytes, now: datetime) -> CheckRecord:
    """A pushed record checked and its reference opened; RecordRefused otherwise."""
    if not isinstance(raw, dict):
        raise RecordRefused("a record must be an object")
    record_id = raw.get("id")
    if not isinstance(record_id, str) or not _ID.fullmatch(record_id):
        raise RecordRefused("id must be 32 lowercase hex digits")
    org = raw.get("organisation")
    if not isinstance(org, dict) or not isinstance(org.get("id"), str) or not _ORG_ID.fullmatch(org["id"]):
        raise RecordRefused("organisation must be {id, zh, en}")
    role, mode, reason = raw.get("role"), raw.get("mode"), raw.get("reason")
    if role not in ROLES:
        raise RecordRefused("role must be official or business")
    if mode is not None and mode not in MODES:
        raise RecordRefused("mode must be a mode name or null")
    if reason not in REASONS:
        raise RecordRefused("reason must be a documented reason code")
    fields = raw.get("fields")
    if (not isinstance(fields, list) or len(fields) > MAX_FIELDS
            or not all(isinstance(f, str) and _FIELD.fullmatch(f) for f in fields)):
        raise RecordRefused("fields must be a list of claim names")
    offline = raw.get("offline")
    if not isinstance(offline, bool):
        raise RecordRefused("offline must be true or false")
    try:
        hashed = open_ref(private_key, raw.get("holder"))  # type: ignore[arg-type]
    except SealError:
        raise RecordRefused("holder is not a reference sealed to this issuer") from None
    return CheckRecord(record_id, hashed.hex(), _time(raw.get("checked_at"), now), org["id"],
                       _name(org.get("zh"), "organisation.zh"), _name(org.get("en"), "organisation.en"),
                       str(role), mode, str(reason), tuple(dict.fromkeys(fields)), offline)


def purge(db: Database, now: datetime) -> int:
    """Delete the records past the retention; how many went."""
    cur = db.execute("DELETE FROM check_records WHERE checked_at < ?", (iso(now - RETENTION),))
    return int(cur.rowcount or 0)


def store(db: Database, records: Sequence[CheckRecord], pushed_by: str, now: datetime) -> tuple[int, int]:
    """Keep the records within the retention (first copy of an id wins): (stored, expired)."""
    cutoff = now - RETENTION
    fresh = [r for r in records if r.checked_at >= cutoff]
    stored = 0
    for r in fresh:
        cur = db.execute(
            "INSERT INTO check_records (record_id, cred_hash, checked_at, org_id, org_zh, org_en, role, mode, "
            "reason, fields, offline, pushed_by, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (record_id) DO NOTHING",
            (r.record_id, r.cred_hash, iso(r.checked_at), r.org_id, r.org_zh, r.org_en, r.role, r.mode, r.reason,
             ",".join(r.fields), int(r.offline), pushed_by, iso(now)),
        )
        stored += int(cur.rowcount or 0)
    return stored, len(records) - len(fresh)


_HOLDER_INDICES = (
    "SELECT idx FROM status_indices WHERE cred_id = ? "
    "UNION SELECT status_index FROM slips WHERE cred_id = ? "
    "UNION SELECT k.status_index FROM device_keys k JOIN devices d ON d.device_id = k.device_id WHERE d.cred_id = ?"
)


def holder_checks(db: Database, cred_id: str, now: datetime, *, limit: int = HOLDER_LIMIT) -> list[CheckRecord]:
    """The checks of every code the permit has had (versions, phones, slips), newest first, within the retention."""
    hashes = [ref_hash(int(row[0])) for row in db.execute(_HOLDER_INDICES, (cred_id, cred_id, cred_id)).fetchall()]
    if not hashes:
        return []
    marks = ", ".join("?" for _ in hashes)
    rows = db.execute(
        "SELECT record_id, cred_hash, checked_at, org_id, org_zh, org_en, role, mode, reason, fields, offline "
        f"FROM check_records WHERE cred_hash IN ({marks}) AND checked_at >= ? "
        "ORDER BY checked_at DESC, record_id LIMIT ?",
        (*hashes, iso(now - RETENTION), limit),
    ).fetchall()
    return [CheckRecord(str(r[0]), str(r[1]), datetime.fromisoformat(str(r[2]).replace("Z", "+00:00")), str(r[3]),
                        str(r[4]), str(r[5]), str(r[6]), None if r[7] is None else str(r[7]), str(r[8]),
                        tuple(f for f in str(r[9]).split(",") if f), bool(r[10])) for r in rows]
