"""Console sessions: a random cookie, an idle timeout and a hard end of shift.

The browser holds a 256-bit token in an HttpOnly, SameSite=Strict cookie; the
registry keeps only its SHA-256 with the officer, a CSRF token for the forms,
when it was last used and when it must end. A session unused for IDLE_TIMEOUT
ends (a counter PC left alone), and none outlives MAX_SESSION (a shift). The
last-use time is written at most once a minute, so reading pages costs no write.
Disabling or resetting an account deletes its sessions (issuer.officers.store).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from issuer.model import timestamp
from issuer.tokens import hash_secret

from .model import Officer
from .store import OfficerStore

if TYPE_CHECKING:
    from issuer.registry import Registry

__all__ = ["IDLE_TIMEOUT", "MAX_SESSION", "ConsoleSession", "SessionStore"]

IDLE_TIMEOUT = timedelta(minutes=15)
MAX_SESSION = timedelta(hours=10)
_TOUCH_EVERY = timedelta(minutes=1)
_MAX_TOKEN = 128


@dataclass(frozen=True)
class ConsoleSession:
    officer: Officer
    csrf: str = field(repr=False)


class SessionStore:
    """Sessions of officers, in the registry database (so every server process agrees)."""

    def __init__(self, registry: Registry, idle: timedelta = IDLE_TIMEOUT) -> None:
        self._reg = registry
        self._officers = OfficerStore(registry)
        self.idle = idle

    def open(self, officer: Officer, *, now: datetime) -> tuple[str, ConsoleSession]:
        """A new session; returns the cookie value (shown to the browser only) and the session."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        at = timestamp(now)
        with self._reg.transaction() as conn:
            conn.execute("DELETE FROM officer_sessions WHERE ends_at < ?", (at,))
            conn.execute(
                "INSERT INTO officer_sessions (token_hash, officer_id, csrf, created_at, last_seen, ends_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (hash_secret(token), officer.officer_id, csrf, at, at, timestamp(now + MAX_SESSION)))
            self._reg.record_audit(actor=officer.actor, operation="officer.signin", cred_id=None, now=now,
                                   details={})
        return token, ConsoleSession(officer, csrf)

    def get(self, token: str, *, now: datetime) -> ConsoleSession | None:
        """The live session of an active officer for this cookie, or None (and it is gone)."""
        if not token or len(token) > _MAX_TOKEN:
            return None
        key = hash_secret(token)
        row = self._reg.connection.execute(
            "SELECT officer_id, csrf, last_seen, ends_at FROM officer_sessions WHERE token_hash = ?",
            (key,)).fetchone()
        if row is None:
            return None
        last_seen = datetime.fromisoformat(row[2])
        officer = self._officers.get(int(row[0]))
        if officer is None or not officer.active or now - last_seen > self.idle or timestamp(now) > row[3]:
            with self._reg.transaction() as conn:
                conn.execute("DELETE FROM officer_sessions WHERE token_hash = ?", (key,))
            return None
        if now - last_seen >= _TOUCH_EVERY:
            with self._reg.transaction() as conn:
                conn.execute("UPDATE officer_sessions SET last_seen = ? WHERE token_hash = ?",
                             (timestamp(now), key))
        return ConsoleSession(officer, row[1])

    def close(self, token: str, *, now: datetime) -> None:
        if not token or len(token) > _MAX_TOKEN:
            return
        session = self.get(token, now=now)
        with self._reg.transaction() as conn:
            conn.execute("DELETE FROM officer_sessions WHERE token_hash = ?", (hash_secret(token),))
            if session is not None:
                self._reg.record_audit(actor=session.officer.actor, operation="officer.signout",
                                       cred_id=None, now=now, details={})
