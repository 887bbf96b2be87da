"""Officers' personal API tokens: the /admin JSON API acting as a named officer.

A script or a station's own tool calls the JSON API with a token issued to one
officer; every act done with it is recorded as that officer's
(``officer:<username>``) and is allowed only if the officer's role allows it,
exactly as in the console. Only the SHA-256 of a token is stored, and the plain
token is shown once. A token stops working at once when it is revoked or its
officer is disabled. Tokens carry the prefix ``ot_`` so a leaked one is easy to
recognise in a log or a repository scan.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from issuer.errors import InvalidInputError, InvalidStateError, NotFoundError
from issuer.model import timestamp

from .model import Officer
from .store import OfficerStore

if TYPE_CHECKING:
    from issuer.registry import Registry

__all__ = ["TOKEN_PREFIX", "IssuedToken", "OfficerToken", "OfficerTokens", "token_hash"]

TOKEN_PREFIX = "ot_"
_ID_HEX = 12  # how much of the hash names a token in lists and on the command line


def token_hash(token: str) -> str:
    """The stored form of a token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class OfficerToken:
    """A token as listed: never the token itself."""

    token_id: str
    username: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its listing; ``token`` is shown once."""

    token: str
    listed: OfficerToken

    def __repr__(self) -> str:
        return f"IssuedToken(token_id={self.listed.token_id!r})"


class OfficerTokens:
    """The officer_tokens table of one registry."""

    def __init__(self, registry: Registry) -> None:
        self._reg = registry
        self._officers = OfficerStore(registry)

    def issue(self, username: str, label: str, *, actor: str, now: datetime) -> IssuedToken:
        officer = self._officers.require(username)
        if not officer.active:
            raise InvalidStateError(f"账号 {officer.username} 已停用", f"account {officer.username} is disabled")
        name = label.strip()
        if not 1 <= len(name) <= 50:
            raise InvalidInputError("令牌名称须为1至50个字符", "the token label must be 1 to 50 characters")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        digest = token_hash(token)
        with self._reg.transaction() as conn:
            conn.execute(
                "INSERT INTO officer_tokens (token_hash, officer_id, label, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?)", (digest, officer.officer_id, name, timestamp(now), actor))
            self._reg.record_audit(actor=actor, operation="officer.token_issue", cred_id=None, now=now,
                                   details={"officer": officer.username, "token_id": digest[:_ID_HEX],
                                            "label": name})
        return IssuedToken(token, OfficerToken(digest[:_ID_HEX], officer.username, name, now, None))

    def revoke(self, token_id: str, *, actor: str, now: datetime) -> OfficerToken:
        found = [t for t in self._all() if t.token_id == token_id.strip().lower()]
        if not found:
            raise NotFoundError(f"令牌 {token_id} 不存在", f"token {token_id} not found")
        if found[0].revoked_at is not None:
            raise InvalidStateError("令牌已注销", "the token is already revoked")
        with self._reg.transaction() as conn:
            conn.execute("UPDATE officer_tokens SET revoked_at = ?, revoked_by = ? WHERE token_hash LIKE ?",
                         (timestamp(now), actor, found[0].token_id + "%"))
            self._reg.record_audit(actor=actor, operation="officer.token_revoke", cred_id=None, now=now,
                                   details={"officer": found[0].username, "token_id": found[0].token_id})
        return next(t for t in self._all() if t.token_id == found[0].token_id)

    def listing(self, username: str | None = None) -> list[OfficerToken]:
        return [t for t in self._all() if username is None or t.username == username.strip().lower()]

    def officer_for(self, token: str) -> Officer | None:
        """The active officer whose unrevoked token this is; None otherwise.

        Looked up by hash (an index probe, nothing to time); the officer is read
        afresh, so disabling an account ends its tokens at once.
        """
        if not token.startswith(TOKEN_PREFIX):
            return None
        row = self._reg.connection.execute(
            "SELECT officer_id FROM officer_tokens WHERE token_hash = ? AND revoked_at IS NULL",
            (token_hash(token),)).fetchone()
        officer = self._officers.get(int(row[0])) if row else None
        return officer if officer is not None and officer.active else None

    def _all(self) -> list[OfficerToken]:
        rows = self._reg.connection.execute(
            "SELECT t.token_hash, o.username, t.label, t.created_at, t.revoked_at FROM officer_tokens t "
            "JOIN officers o ON o.officer_id = t.officer_id ORDER BY t.created_at, t.token_hash").fetchall()
        return [OfficerToken(r[0][:_ID_HEX], r[1], r[2], datetime.fromisoformat(r[3]),
                             None if r[4] is None else datetime.fromisoformat(r[4])) for r in rows]
