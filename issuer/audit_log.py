"""The registry's audit log: who did what to which credential, and when.

Entries are written inside the transaction of the change they describe (the
registry's, or a store's built on it), so a change and its record never disagree.
Details are stored as canonical JSON (sorted keys, no spaces) so two equal acts
read the same; callers keep ID numbers out of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from issuer.db import Database
from issuer.errors import InvalidInputError
from issuer.model import AuditEntry, timestamp

__all__ = ["append_audit", "append_audit_many", "details_json", "read_audit"]

_INSERT_AUDIT = (
    "INSERT INTO audit_log (at, actor, operation, cred_id, details) VALUES (?, ?, ?, ?, ?)"
)


def details_json(details: Mapping[str, Any]) -> str:
    """The stored form of an entry's details."""
    return json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def append_audit(conn: Database, *, actor: str, operation: str, cred_id: str | None,
                 details: Mapping[str, Any], now: datetime) -> None:
    """Append one entry; an act without a named actor is refused."""
    if not actor.strip():
        raise InvalidInputError("操作人不能为空", "actor must not be empty")
    conn.execute(_INSERT_AUDIT, (timestamp(now), actor, operation, cred_id, details_json(details)))


def append_audit_many(conn: Database, *, actor: str, operation: str, at: str,
                      entries: Iterable[tuple[str | None, Mapping[str, Any]]]) -> None:
    """One entry per (cred_id, details), all by `actor` at `at` (a stored timestamp): bulk imports."""
    if not actor.strip():
        raise InvalidInputError("操作人不能为空", "actor must not be empty")
    conn.executemany(_INSERT_AUDIT, [(at, actor, operation, cid, details_json(d)) for cid, d in entries])


def read_audit(conn: Database, cred_id: str | None = None) -> list[AuditEntry]:
    """Entries in the order they were written, optionally for one credential."""
    sql = "SELECT entry_id, at, actor, operation, cred_id, details FROM audit_log"
    params: tuple[Any, ...] = ()
    if cred_id is not None:
        sql += " WHERE cred_id = ?"
        params = (cred_id,)
    rows = conn.execute(sql + " ORDER BY entry_id", params).fetchall()
    return [AuditEntry(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5]) for r in rows]
