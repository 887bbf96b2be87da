"""Audit record shapes: what is kept of every verdict and offline scan, without personal data.

A record names the caller (API key name), time, reason and mode, and the
credential by ``cred_ref``: HMAC-SHA256 under the audit key of SHA-256 of the
credential reference (the big-endian status-list index ``ref`` the code
carries, in three bytes, four from 2^24 on: ``keys.claims.ref_bytes``, the same
for a v1 and a v2 code of one credential version). The index is not personal data but the issuer can map it to a person,
so it is never stored in clear; the audit key never leaves the verifiers, so
the log alone cannot be matched against the registry, while an investigator
holding the key can still ask "when was this credential checked".

Handhelds that verified offline send ``cred_ref_hash`` = hex SHA-256 of those
bytes (computed with WebCrypto from the decoded code); the server applies the
same HMAC, so online and offline records of one credential carry the same
``cred_ref``.

The request path leaves a ``VerdictEvent``; ``event_record`` turns it into the
record later, in the writer (``verifier.audit.writer``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from datetime import datetime
from typing import Any, NamedTuple

from keys.claims import ref_bytes
from keys.reasons import REASONS
from keys.vocabulary import MODE_NAMES

from ..disclosure import iso_utc

#: one audit record, as written (a JSON object)
Record = dict[str, Any]

MODES = tuple(MODE_NAMES.values())
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_DEVICE = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,63}$")
OFFLINE_MAX_AGE_S = 30 * 86400
OFFLINE_MAX_AHEAD_S = 3600


def cred_hash(ref: int) -> bytes:
    """SHA-256 of the credential reference: what a handheld reports for an offline scan."""
    return hashlib.sha256(ref_bytes(ref)).digest()


def cred_ref(audit_key: bytes, hashed_ref: bytes) -> str:
    """The keyed reference stored in the audit log."""
    return hmac.digest(audit_key, hashed_ref, "sha256").hex()


def verdict_record(
    audit_key: bytes, *, at: float | str, caller: str, role: str, reason: str, mode: str | None, ref: int | None
) -> Record:
    """``at`` as Unix seconds, or already as ``iso_utc`` text (a batch shares one time)."""
    return {
        "at": at if isinstance(at, str) else iso_utc(at),
        "caller": caller,
        "role": role,
        "reason": reason,
        "mode": mode,
        "cred_ref": cred_ref(audit_key, cred_hash(ref)) if ref is not None else None,
        "offline": False,
    }


class VerdictEvent(NamedTuple):
    """A verdict to audit, as the request path leaves it: the record is built when written."""

    at: str
    caller: str
    role: str
    reason: str
    mode: str | None
    ref: int | None


def event_record(audit_key: bytes, event: VerdictEvent) -> Record:
    return verdict_record(
        audit_key, at=event.at, caller=event.caller, role=event.role, reason=event.reason, mode=event.mode, ref=event.ref
    )


class ScanRecordError(ValueError):
    """One offline record is unusable; the message says which field."""


def _scanned_at(value: Any) -> float:
    if isinstance(value, bool):
        raise ScanRecordError("scanned_at must be an ISO 8601 time or Unix seconds")
    if isinstance(value, (int, float)):
        ts = float(value)
    elif isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ScanRecordError("scanned_at must be an ISO 8601 time or Unix seconds") from None
        if parsed.tzinfo is None:
            raise ScanRecordError("scanned_at needs a time zone (e.g. a trailing Z)")
        ts = parsed.timestamp()
    else:
        raise ScanRecordError("scanned_at must be an ISO 8601 time or Unix seconds")
    if not math.isfinite(ts):
        raise ScanRecordError("scanned_at must be finite")
    return ts


def scan_record(audit_key: bytes, raw: Any, *, caller: str, role: str, now: float) -> Record:
    """An audit record from one offline scan report; ScanRecordError if it is not acceptable."""
    if not isinstance(raw, dict):
        raise ScanRecordError("a record must be an object")
    unknown = set(raw) - {"scanned_at", "reason", "mode", "cred_ref_hash", "offline", "device"}
    if unknown:
        raise ScanRecordError(f"unknown field {sorted(unknown)[0][:40]!r}")
    if raw.get("offline") is not True:
        raise ScanRecordError("offline must be true (online verdicts are recorded by the server)")
    ts = _scanned_at(raw.get("scanned_at"))
    if ts < now - OFFLINE_MAX_AGE_S or ts > now + OFFLINE_MAX_AHEAD_S:
        raise ScanRecordError("scanned_at is more than 30 days old or in the future")
    reason = raw.get("reason")
    if reason not in REASONS:
        raise ScanRecordError("reason must be one of the documented reason codes")
    mode = raw.get("mode")
    if mode is not None and mode not in MODES:
        raise ScanRecordError(f"mode must be one of {', '.join(MODES)} or null")
    ref = raw.get("cred_ref_hash")
    if ref is not None and (not isinstance(ref, str) or not _HEX64.match(ref)):
        raise ScanRecordError("cred_ref_hash must be 64 hex digits (SHA-256 of the credential reference)")
    device = raw.get("device")
    if not isinstance(device, str) or not _DEVICE.match(device):
        raise ScanRecordError("device must be 1-64 printable ASCII characters")
    return {
        "at": iso_utc(ts),
        "caller": caller,
        "role": role,
        "reason": reason,
        "mode": mode,
        "cred_ref": cred_ref(audit_key, bytes.fromhex(ref)) if ref is not None else None,
        "offline": True,
        "device": device,
        "received_at": iso_utc(now),
    }
