"""The registry's database: SQLite (the embedded default) or PostgreSQL, one way to talk to both.

Every store of the issuer (credentials, devices, applications, officers, ...)
writes its SQL once, portable, with ``?`` placeholders, and runs it through a
``Database``: ``execute(sql, params)`` returns a cursor with ``fetchone``,
``fetchall``, ``rowcount`` and iteration, ``executemany`` runs one statement
for many rows, ``transaction()`` is one write transaction. The SQLite
connection is used as it is; for PostgreSQL (psycopg 3) each statement is
rewritten once (``?`` to numbered ``$1``, ``$2``, ... placeholders, ``INTEGER
PRIMARY KEY AUTOINCREMENT`` to an identity column) and remembered. psycopg runs
them through its raw cursors, which send the statement as it is: its own ``%s``
form is parsed again in Python for every statement with more than 50 parameters
(the ``IN (...)`` lists of bulk lookups), which cost more than the database's
work in a bulk import. ``executemany`` of a plain ``INSERT ... VALUES (...)``
sends several hundred rows per statement on PostgreSQL instead of one.

Portable SQL here means: no ``lastrowid`` (use ``INSERT ... RETURNING``), no
``INSERT OR IGNORE`` (use ``ON CONFLICT DO NOTHING``), no ``PRAGMA`` outside
issuer.schema, text for dates and times, ``count``/``max`` over integers.

Which backend: ``connect(target)`` with a ``postgresql://`` (or ``postgres://``)
URL opens PostgreSQL; anything else is a SQLite path (``:memory:`` in tests).
The issuer reads it from ``ISSUER_DATABASE_URL``, else ``ISSUER_DB``.

Concurrency: SQLite serialises writers with ``BEGIN IMMEDIATE``. PostgreSQL lets
writers run side by side, so code that reads, decides and writes something
shared (the status index allocator) takes ``lock(name)`` first: a transaction-
scoped advisory lock, released at commit or rollback.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Protocol

__all__ = [
    "Cursor",
    "Database",
    "DatabaseError",
    "IntegrityError",
    "SQLITE",
    "POSTGRESQL",
    "connect",
    "is_postgresql_url",
]

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class Cursor(Protocol):
    """What a statement gives back, alike on both backends."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


def _driver_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    database: list[type[Exception]] = [sqlite3.Error]
    integrity: list[type[Exception]] = [sqlite3.IntegrityError]
    try:
        import psycopg

        database.append(psycopg.Error)
        integrity.append(psycopg.IntegrityError)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    return tuple(database), tuple(integrity)


#: catch these for "the database failed" / "a constraint refused the row", whatever the backend
DatabaseError, IntegrityError = _driver_errors()


def is_postgresql_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


class Database:
    """One connection; ``dialect`` says which backend it is."""

    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def begin(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    def lock(self, name: str) -> None:
        """Serialise this transaction with every other one that locks ``name`` (until it ends)."""

    def close(self) -> None:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction (not nestable: the registry joins nested uses itself)."""
        self.begin()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        self.commit()


class SqliteDatabase(Database):
    """The embedded default: sqlite3 in autocommit mode, transactions begun explicitly."""

    dialect = SQLITE

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self.raw.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows)

    def begin(self) -> None:
        # IMMEDIATE takes the write lock up front: a writer waits (busy_timeout)
        # instead of failing halfway when another process holds it.
        self.raw.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        self.raw.close()


_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?")
_AUTOINCREMENT = re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b", re.I)
_PLAIN_INSERT = re.compile(r"\s*INSERT\s+INTO\s+[\w.]+\s*\([\w\s,]+\)\s*VALUES\s*(\([^()']*\))\s*", re.I)
#: parameters per statement of a many-row INSERT (PostgreSQL takes at most 65,535)
_MANY_ROW_PARAMS = 16_000


@lru_cache(maxsize=1024)
def postgresql_sql(sql: str) -> str:
    """The statement in PostgreSQL's terms: ``$n`` placeholders, identity keys."""
    numbers = iter(range(1, 1 << 16))

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        return f"${next(numbers)}" if token == "?" else token  # a quoted literal or identifier stays

    sql = _AUTOINCREMENT.sub("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", sql)
    return _PLACEHOLDER.sub(swap, sql)


@lru_cache(maxsize=64)
def many_row_insert(sql: str, rows: int) -> str | None:
    """``INSERT INTO t (...) VALUES (?, ...)`` repeated for ``rows`` rows, or None for any other statement."""
    match = _PLAIN_INSERT.fullmatch(sql)
    if match is None:
        return None
    values = match.group(1)
    return postgresql_sql(sql[: match.start(1)] + ", ".join([values] * rows))


class PostgresDatabase(Database):
    """PostgreSQL through psycopg 3, in autocommit mode with explicit transactions."""

    dialect = POSTGRESQL

    def __init__(self, url: str) -> None:
        import psycopg

        self.raw = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.RawCursor)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        cursor: Cursor = self.raw.execute(postgresql_sql(sql), tuple(params))
        return cursor

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(r) for r in rows]
        if not batch:
            return
        per_statement = max(1, _MANY_ROW_PARAMS // max(1, len(batch[0])))
        with self.raw.cursor() as cursor:
            if many_row_insert(sql, 1) is None:
                cursor.executemany(postgresql_sql(sql), batch)
                return
            for start in range(0, len(batch), per_statement):
                chunk = batch[start:start + per_statement]
                statement = many_row_insert(sql, len(chunk))
                assert statement is not None
                cursor.execute(statement, [value for row in chunk for value in row])

    def begin(self) -> None:
        self.raw.execute("BEGIN")

    def lock(self, name: str) -> None:
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        self.raw.execute("SELECT pg_advisory_xact_lock($1)", (key,))

    def close(self) -> None:
        self.raw.close()


def connect(target: str) -> Database:
    """A ``Database`` for a PostgreSQL URL or a SQLite path (not migrated: see issuer.schema)."""
    if is_postgresql_url(target):
        return PostgresDatabase(target)
    from issuer.schema import open_sqlite

    return SqliteDatabase(open_sqlite(target))
