"""Handheld sessions: the scanner page signs in once and then holds only a cookie.

An official types (or scans) their API key into the handheld once; the server
answers with a random session id in an HttpOnly, SameSite=Strict cookie and the
page forgets the key. The server maps the session to the key's *name*, never
to the key itself, and each request re-checks that the key is still configured,
so removing a key from the key file ends its sessions.

Stores hold ``sha256(session id)`` rather than the id, so a dump of the store
(or of Redis) cannot be replayed as cookies.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from typing import Protocol

COOKIE_NAME = "verifier_session"
CSRF_HEADER = "x-requested-with"
CSRF_VALUE = "scanner"


@dataclass(frozen=True)
class Session:
    """``name`` is the API key's name, or ``officer:<account>`` for an officer (then ``display_name``)."""

    name: str
    role: str
    expires_at: float
    display_name: str = ""


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def session_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


class SessionStore(Protocol):
    def put(self, session_id: str, session: Session, now: float) -> None: ...

    def get(self, session_id: str, now: float) -> Session | None: ...

    def delete(self, session_id: str) -> None: ...


class MemorySessionStore:
    """Sessions of one process (lost on restart), bounded; expired ones are dropped."""

    def __init__(self, max_sessions: int = 100_000) -> None:
        self.max_sessions = max_sessions
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def put(self, session_id: str, session: Session, now: float) -> None:
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                self._sessions = {k: s for k, s in self._sessions.items() if s.expires_at > now}
                while len(self._sessions) >= self.max_sessions:  # the oldest go first
                    del self._sessions[next(iter(self._sessions))]
            self._sessions[session_key(session_id)] = session

    def get(self, session_id: str, now: float) -> Session | None:
        key = session_key(session_id)
        with self._lock:
            session = self._sessions.get(key)
            if session is not None and session.expires_at <= now:
                del self._sessions[key]
                return None
            return session

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_key(session_id), None)
