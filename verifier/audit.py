"""The audit trail: every verdict, who asked, and which credential, without personal data.

A record names the caller (API key name), time, reason and mode, and the
credential by ``cred_ref``: HMAC-SHA256 under the audit key of SHA-256 of the
credential reference (the 3-byte big-endian status-list index ``ref`` the code
carries). The index is not personal data but the issuer can map it to a person,
so it is never stored in clear; the audit key never leaves the verifiers, so
the log alone cannot be matched against the registry, while an investigator
holding the key can still ask "when was this credential checked".

Handhelds that verified offline send ``cred_ref_hash`` = hex SHA-256 of those
3 bytes (computed with WebCrypto from the decoded code); the server applies the
same HMAC, so online and offline records of one credential carry the same
``cred_ref``.

Sinks: a Redis stream (``XADD ... MAXLEN ~``) when Redis is configured, else an
append-only JSON-lines file. When the stream cannot be written, records go to
the file instead of being lost (``audit-fallback`` in the metrics).

Verdict records do not wait for the sink: ``AuditBuffer`` keeps them in memory,
in order, and a background thread writes them every ``interval_s`` (200 ms) or
as soon as ``flush_at`` records are waiting, in one write (one file write and
flush, or one pipeline of XADDs). A write and flush per verdict cost about
44 µs, a fifth of a request's time. The request path only leaves a
``VerdictEvent``; the record (with its HMAC) is built by the writer, many in a
row: the same work measured 25 µs per request inside a request, right after a
signature check, and 5 µs per record in a loop. Nothing is dropped for being buffered: a
failed write keeps its records for the next attempt, shutting down writes out
everything, and offline scan reports (which the handheld deletes once they are
accepted) are written through at once, after the records waiting before them.
Only when the sink has failed for so long that ``max_records`` are waiting are
further records counted as lost (``audit_dropped``), as a failed write lost them
before buffering.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import math
import os
import re
import threading
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, NamedTuple, Protocol, Sequence

from keys.errors import REASONS

from .disclosure import iso_utc
from .outage_log import OutageLog

log = logging.getLogger("verifier.audit")

MODES = ("MINTED", "PASS", "PAPER")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_DEVICE = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,63}$")
OFFLINE_MAX_AGE_S = 30 * 86400
OFFLINE_MAX_AHEAD_S = 3600


REF_BYTES = 3
SHUTDOWN_ATTEMPTS = 3


def cred_hash(ref: int) -> bytes:
    """SHA-256 of the credential reference: what a handheld reports for an offline scan."""
    return hashlib.sha256(ref.to_bytes(REF_BYTES, "big")).digest()


def cred_ref(audit_key: bytes, hashed_ref: bytes) -> str:
    """The keyed reference stored in the audit log."""
    return hmac.digest(audit_key, hashed_ref, "sha256").hex()


def verdict_record(
    audit_key: bytes, *, at: float | str, caller: str, role: str, reason: str, mode: str | None, ref: int | None
) -> dict[str, Any]:
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


def event_record(audit_key: bytes, event: VerdictEvent) -> dict[str, Any]:
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


def scan_record(audit_key: bytes, raw: Any, *, caller: str, role: str, now: float) -> dict[str, Any]:
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
        raise ScanRecordError("mode must be MINTED, PASS, PAPER or null")
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


class AuditSink(Protocol):
    def write(self, records: Sequence[dict[str, Any]]) -> None:
        """Append records; raises only when they could not be kept anywhere."""


class FileAuditSink:
    """Append-only JSON lines, one record per line, file readable by its owner only.

    Several worker processes may append to the same file: each write is one
    ``write`` of whole lines on an ``O_APPEND`` descriptor, under an exclusive
    ``flock``, so records of different workers never interleave and a short
    write is finished before anyone else writes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return self._fd

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        if not records:
            return
        text = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
        data = memoryview(text.encode("utf-8"))
        with self._lock:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                while data:
                    data = data[os.write(fd, data):]
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class FallbackAuditSink:
    """The primary sink (the Redis stream), or the file when the primary fails."""

    def __init__(self, primary: AuditSink, fallback: FileAuditSink, on_fallback: Any = None) -> None:
        self.primary = primary
        self.fallback = fallback
        self._on_fallback = on_fallback
        self.outage = OutageLog(log, "audit stream")

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        if not records:
            return
        try:
            self.primary.write(records)
        except Exception as exc:
            self.outage.failed(f"{type(exc).__name__}; {len(records)} records written to {self.fallback.path}")
            if self._on_fallback is not None:
                self._on_fallback(len(records))
            self.fallback.write(records)
        else:
            self.outage.ok()

    def close(self) -> None:
        self.fallback.close()


class AuditBuffer:
    """Records kept in order and written by a background thread, in batches; see the module docstring.

    ``write`` only appends (the request path); ``write_through`` writes the
    waiting records and the given ones before returning, and raises if they
    could not be written (they are then not kept: the caller reports the
    failure and its client sends them again). ``on_event(name, count)`` counts
    ``audit_write_failed`` (records waiting after a failed write, retried) and
    ``audit_dropped`` (records lost because the buffer was full).
    """

    def __init__(
        self,
        sink: AuditSink,
        *,
        render: Callable[[Any], dict[str, Any]] | None = None,
        interval_s: float = 0.2,
        flush_at: int = 256,
        max_records: int = 50_000,
        on_event: Callable[[str, int], None] | None = None,
    ) -> None:
        self.sink = sink
        self._render = render
        self.interval_s = interval_s
        self.flush_at = flush_at
        self.max_records = max_records
        self._on_event = on_event
        self._pending: deque[Any] = deque()  # records (dicts), or events for ``render``
        self._cond = threading.Condition(threading.Lock())
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def __len__(self) -> int:
        return len(self._pending)

    def _event(self, name: str, count: int) -> None:
        if self._on_event is not None and count:
            self._on_event(name, count)

    def write(self, records: Sequence[Any]) -> None:
        """Records, or events that ``render`` turns into records when they are written."""
        dropped = 0
        with self._cond:
            room = self.max_records - len(self._pending)
            if room < len(records):
                dropped = len(records) - max(room, 0)
                records = records[: max(room, 0)]
            self._pending.extend(records)
            if len(self._pending) >= self.flush_at:
                self._cond.notify()
            if self._thread is None and not self._stopping:
                self._start()
            closed = self._stopping
        if closed:
            self.flush()  # a verdict given while shutting down: no writer thread is left to do it
        if dropped:
            self._event("audit_dropped", dropped)
            log.error("audit buffer full (%d records waiting): %d records lost", self.max_records, dropped)

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        failed = False
        while True:
            with self._cond:
                if failed:
                    self._cond.wait(self.interval_s)  # after a failure, wait the full interval before retrying
                else:
                    self._cond.wait_for(lambda: self._stopping or len(self._pending) >= self.flush_at, self.interval_s)
                if self._stopping:
                    return
            failed = not self.flush()

    def _take(self) -> list[Any]:
        with self._cond:
            batch = list(self._pending)
            self._pending.clear()
        return batch

    def _records(self, batch: list[Any]) -> list[dict[str, Any]]:
        render = self._render
        if render is None:
            return batch
        return [item if type(item) is dict else render(item) for item in batch]

    def _put_back(self, batch: list[Any]) -> None:
        with self._cond:
            self._pending.extendleft(reversed(batch))

    def flush(self) -> bool:
        """Write every waiting record; False (records kept for the next attempt) if the sink failed."""
        with self._write_lock:
            batch = self._take()
            if not batch:
                return True
            try:
                self.sink.write(self._records(batch))
            except Exception as exc:
                self._put_back(batch)
                self._event("audit_write_failed", len(batch))
                log.error("audit write failed, %d records kept for the next attempt: %s", len(batch), exc)
                return False
            return True

    def write_through(self, records: Sequence[dict[str, Any]]) -> None:
        """The waiting records, then ``records``, written now; raises if ``records`` were not written."""
        with self._write_lock:
            batch = self._take()
            try:
                self.sink.write([*self._records(batch), *records])
            except Exception:
                self._put_back(batch)
                self._event("audit_write_failed", len(batch))
                raise

    def close(self) -> None:
        """Stop the writer thread and write what is waiting (the shutdown path)."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join()
        for attempt in range(SHUTDOWN_ATTEMPTS):
            if self.flush():
                return
            if attempt + 1 < SHUTDOWN_ATTEMPTS:
                with self._cond:
                    self._cond.wait(self.interval_s)
        # The sink refused every attempt: the records (no personal data) go to the
        # error log, the one place left to keep them.
        records: list[dict[str, Any]] = []
        for item in self._take():
            try:
                records.extend(self._records([item]))
            except Exception:
                log.exception("audit event could not be turned into a record")
        for record in records:
            log.error("audit record not written: %s", json.dumps(record, ensure_ascii=False, separators=(",", ":")))
