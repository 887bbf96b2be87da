"""One small door to the database for the applicant platform's tables.

Every statement is plain SQL with ``?`` placeholders and goes through `Sql`, on
the registry's `issuer.db.Database`, which runs it on SQLite or PostgreSQL alike. Transactions are the
registry's (``BEGIN IMMEDIATE`` on SQLite), so an approval that issues a credential
and marks the application approved commits or fails as one.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from issuer.db import Database

if TYPE_CHECKING:
    from issuer.registry import Registry

__all__ = ["Sql", "ensure_schema"]

Row = tuple[Any, ...]
_applied: "weakref.WeakKeyDictionary[Registry, set[str]]" = weakref.WeakKeyDictionary()


class Sql:
    """Runs ``?``-parameter SQL on the registry's connection, inside its transactions."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    @property
    def _conn(self) -> Database:
        return self.registry.connection

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction; nested uses join the outer one (the registry's rule)."""
        with self.registry.transaction():
            yield

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute a write; returns the number of rows it touched."""
        return int(self._conn.execute(sql, tuple(params)).rowcount)

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute an INSERT ... RETURNING <id>; returns the new id."""
        row = self._conn.execute(sql, tuple(params)).fetchone()
        assert row is not None, "an INSERT ... RETURNING returns one row"
        return int(row[0])

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row = self._conn.execute(sql, tuple(params)).fetchone()
        return None if row is None else tuple(row)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [tuple(r) for r in self._conn.execute(sql, tuple(params)).fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]


def ensure_schema(sql: Sql, name: str, migrations: Sequence[str]) -> None:
    """Apply the migrations of one group of tables not yet applied, in one transaction.

    Each group keeps its own version in the registry's ``meta`` table (key
    ``schema.<name>``), so groups added by different parts of the issuer never
    compete for one version number.
    """
    done = _applied.setdefault(sql.registry, set())
    if name in done:
        return
    key = f"schema.{name}"
    with sql.transaction():
        found = sql.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        version = int(found) if found is not None else 0
        if version > len(migrations):
            raise RuntimeError(f"{key} is at version {version}, newer than this code knows")
        for step in range(version, len(migrations)):
            for statement in _statements(migrations[step]):
                sql.run(statement)
        if version < len(migrations):
            sql.run("DELETE FROM meta WHERE key = ?", (key,))
            sql.run("INSERT INTO meta (key, value) VALUES (?, ?)", (key, str(len(migrations))))
    done.add(name)


def _statements(script: str) -> list[str]:
    """The statements of a migration script (``;`` at the end of a line ends one)."""
    out: list[str] = []
    buffer: list[str] = []
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        buffer.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(buffer).rstrip().rstrip(";"))
            buffer = []
    if buffer:
        out.append("\n".join(buffer))
    return out
