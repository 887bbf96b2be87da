"""Schema of the registry and its forward-only migrations, on SQLite and PostgreSQL.

The DDL is written once, in SQLite's words; issuer.db rewrites what PostgreSQL
spells differently (identity keys). On SQLite the version lives in
`PRAGMA user_version`, which SQLite keeps in the file header, so no table has to
exist before we know what we are looking at; on PostgreSQL in a one-row table
`registry_schema`, and migrating instances take an advisory lock so two issuer
processes starting together do not both migrate. All migrations found missing
are applied in one transaction; a database written by newer code is refused
rather than silently misread.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from issuer.db import POSTGRESQL, Database, SqliteDatabase
from issuer.db import connect as connect_database

__all__ = ["SCHEMA_VERSION", "SchemaError", "bulk_writes", "connect", "migrate", "open_sqlite"]

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE credentials (
    cred_id       TEXT PRIMARY KEY CHECK (length(cred_id) = 16),
    card_number   TEXT UNIQUE,
    permit_type   INTEGER NOT NULL CHECK (permit_type IN (1, 2)),
    holder_name   TEXT NOT NULL CHECK (holder_name <> ''),
    id_number     TEXT NOT NULL CHECK (length(id_number) = 18),
    address       TEXT NOT NULL,
    district_code INTEGER NOT NULL,
    issued_on     TEXT NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_until   TEXT NOT NULL,
    status        TEXT NOT NULL
                  CHECK (status IN ('active', 'suspended', 'revoked', 'expired')),
    revoke_reason TEXT,
    version       INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    status_index  INTEGER NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX credentials_id_number ON credentials (id_number);

-- One row per (credential, version): indices are never reused, even after supersession.
CREATE TABLE status_indices (
    idx          INTEGER PRIMARY KEY,
    cred_id      TEXT NOT NULL REFERENCES credentials (cred_id),
    version      INTEGER NOT NULL,
    superseded   INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
    allocated_at TEXT NOT NULL,
    UNIQUE (cred_id, version)
);

-- Provenance of migrated rows; the fingerprint tells "same row again" from "edited".
CREATE TABLE legacy_imports (
    card_number TEXT PRIMARY KEY,
    cred_id     TEXT NOT NULL REFERENCES credentials (cred_id),
    fingerprint TEXT NOT NULL,
    source      TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE enrolments (
    code_hash  TEXT PRIMARY KEY,
    cred_id    TEXT NOT NULL REFERENCES credentials (cred_id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

CREATE TABLE devices (
    device_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    cred_id     TEXT NOT NULL REFERENCES credentials (cred_id),
    label       TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX devices_cred_id ON devices (cred_id);

CREATE TABLE audit_log (
    entry_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    operation TEXT NOT NULL,
    cred_id   TEXT,
    details   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_cred_id ON audit_log (cred_id);
"""

# The officials' console: officer accounts and sessions, printed slips (each with its
# own status-list index, so a reprint voids the slip before it), home visits and the
# cases they open. See issuer.officers, issuer.slips and issuer.visits.
_V2_CONSOLE = """
CREATE TABLE officers (
    officer_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL
                    CHECK (role IN ('clerk', 'reviewer', 'supervisor', 'field', 'admin')),
    station         TEXT NOT NULL,
    district_code   INTEGER NOT NULL,
    password_hash   TEXT NOT NULL,
    totp_secret     TEXT NOT NULL,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_signins  INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE officer_sessions (
    token_hash  TEXT PRIMARY KEY,
    officer_id  INTEGER NOT NULL REFERENCES officers (officer_id),
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    ends_at     TEXT NOT NULL
);
CREATE INDEX officer_sessions_officer ON officer_sessions (officer_id);

CREATE TABLE slips (
    serial        INTEGER PRIMARY KEY AUTOINCREMENT,
    cred_id       TEXT NOT NULL REFERENCES credentials (cred_id),
    version       INTEGER NOT NULL,
    status_index  INTEGER NOT NULL UNIQUE,
    station       TEXT NOT NULL,
    printed_at    TEXT NOT NULL,
    printed_by    TEXT NOT NULL,
    voided_at     TEXT,
    voided_by     TEXT
);
CREATE INDEX slips_cred_id ON slips (cred_id);

CREATE TABLE visit_tasks (
    task_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    cred_id        TEXT NOT NULL REFERENCES credentials (cred_id),
    district_code  INTEGER NOT NULL,
    address        TEXT NOT NULL,
    cause          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    outcome        TEXT CHECK (outcome IN ('confirmed', 'not_living', 'nobody_home')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    note           TEXT,
    closed_at      TEXT,
    closed_by      TEXT
);
CREATE INDEX visit_tasks_district ON visit_tasks (district_code, closed_at);

-- When each holder device last fetched a code (issuer.device_use), for the console.
CREATE TABLE device_use (
    device_id     INTEGER PRIMARY KEY REFERENCES devices (device_id),
    last_used_at  TEXT NOT NULL
);

CREATE TABLE visit_cases (
    case_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id     INTEGER NOT NULL REFERENCES visit_tasks (task_id),
    cred_id     TEXT NOT NULL REFERENCES credentials (cred_id),
    opened_at   TEXT NOT NULL,
    opened_by   TEXT NOT NULL,
    decision    TEXT CHECK (decision IN ('suspended', 'dismissed')),
    reason      TEXT,
    decided_at  TEXT,
    decided_by  TEXT
);
"""

# Device keys: the public key a holder's browser created (the 33-byte field of
# keys.device_key, in hex: text is portable to PostgreSQL), one current key per device.
# Each key owns a status-list index from the same space as credential versions
# (never reused); the index reads revoked once the device is removed or the key replaced.
_V3_DEVICE_KEYS = """
CREATE TABLE device_keys (
    status_index  INTEGER PRIMARY KEY,
    device_id     INTEGER NOT NULL REFERENCES devices (device_id),
    key_field     TEXT NOT NULL CHECK (length(key_field) = 66),
    registered_at TEXT NOT NULL,
    superseded_at TEXT
);
CREATE INDEX device_keys_device_id ON device_keys (device_id);
"""

# Officers' personal API tokens for the /admin JSON API (issuer.officers.api_tokens):
# only the SHA-256 of a token is kept; an act done with one is the officer's.
_V4_OFFICER_TOKENS = """
CREATE TABLE officer_tokens (
    token_hash  TEXT PRIMARY KEY,
    officer_id  INTEGER NOT NULL REFERENCES officers (officer_id),
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT
);
CREATE INDEX officer_tokens_officer ON officer_tokens (officer_id);
"""

# Who checked a permit (issuer.check_records): records pushed by verifiers, kept for the retention.
# ``cred_hash`` is the hex SHA-256 of the 3-byte status index the checked code carried.
_V5_CHECK_RECORDS = """
CREATE TABLE check_records (
    record_id     TEXT PRIMARY KEY,
    cred_hash     TEXT NOT NULL CHECK (length(cred_hash) = 64),
    checked_at    TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    org_zh        TEXT NOT NULL,
    org_en        TEXT NOT NULL,
    role          TEXT NOT NULL,
    mode          TEXT,
    reason        TEXT NOT NULL,
    fields        TEXT NOT NULL,
    offline       INTEGER NOT NULL CHECK (offline IN (0, 1)),
    pushed_by     TEXT NOT NULL,
    received_at   TEXT NOT NULL
);
CREATE INDEX check_records_cred ON check_records (cred_hash, checked_at);
CREATE INDEX check_records_checked_at ON check_records (checked_at);
"""

# Index i migrates from user_version i to i + 1. Append only.
_MIGRATIONS: tuple[str, ...] = (_V1, _V2_CONSOLE, _V3_DEVICE_KEYS, _V4_OFFICER_TOKENS, _V5_CHECK_RECORDS)
SCHEMA_VERSION = len(_MIGRATIONS)


class SchemaError(RuntimeError):
    """The database file cannot be used by this version of the code."""


def connect(path: str | os.PathLike[str]) -> Database:
    """Open and migrate a registry database: a SQLite path or a PostgreSQL URL."""
    database = connect_database(os.fspath(path))
    try:
        migrate(database)
    except BaseException:
        database.close()
        raise
    return database


def open_sqlite(target: str) -> sqlite3.Connection:
    """A SQLite connection as the registry wants it (creating parent directories).

    Autocommit mode (`isolation_level=None`) so the registry issues BEGIN IMMEDIATE
    itself: a write transaction takes the lock up front instead of failing halfway
    when another process holds it. WAL lets the server read while an import writes.
    """
    if target != ":memory:" and not target.startswith("file:"):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, isolation_level=None, uri=target.startswith("file:"))
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    if target != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        # Random keys (cred_id, status_index) touch pages all over their indices;
        # a larger page cache keeps bulk imports from re-reading them.
        conn.execute("PRAGMA cache_size = -32768")
    return conn


#: page cache and checkpoint interval while a bulk import writes (issuer.migration)
BULK_CACHE_KIB = 1024 * 1024
BULK_CHECKPOINT_PAGES = 100_000


@contextmanager
def bulk_writes(db: Database) -> Iterator[None]:
    """A larger page cache and rarer WAL checkpoints on SQLite while a bulk import runs.

    Millions of rows keyed at random (credential ids, status indices, ID numbers)
    touch pages all over their indices: with the everyday 32 MiB cache every row
    re-reads several pages, and with a checkpoint every 1,000 pages each page is
    copied to the database file again after every batch. 1 GiB of cache (taken
    as it fills) and a checkpoint every 100,000 pages (the WAL grows to about
    400 MiB) cut the CPU of an import of a million rows by a fifth. The
    connection's settings and a small WAL are back afterwards. PostgreSQL: nothing.
    """
    if db.dialect == POSTGRESQL:
        yield
        return
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    checkpoint = db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    db.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    db.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {int(cache)}")
        db.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def migrate(conn: Database | sqlite3.Connection) -> int:
    """Bring the schema to SCHEMA_VERSION; return the version found before."""
    db = SqliteDatabase(conn) if isinstance(conn, sqlite3.Connection) else conn
    db.begin()
    try:
        found = _version(db)
        if found > SCHEMA_VERSION:
            raise SchemaError(
                f"database schema version {found} is newer than supported {SCHEMA_VERSION}"
            )
        for version in range(found, SCHEMA_VERSION):
            for statement in _split(_MIGRATIONS[version]):
                db.execute(statement)
        if found != SCHEMA_VERSION:
            _set_version(db, SCHEMA_VERSION)
    except BaseException:
        db.rollback()
        raise
    db.commit()
    return found


def _version(db: Database) -> int:
    if db.dialect != POSTGRESQL:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    db.lock("registry_schema")
    db.execute("CREATE TABLE IF NOT EXISTS registry_schema (version INTEGER NOT NULL)")
    row = db.execute("SELECT version FROM registry_schema").fetchone()
    return int(row[0]) if row else 0


def _set_version(db: Database, version: int) -> None:
    if db.dialect != POSTGRESQL:
        db.execute(f"PRAGMA user_version = {int(version)}")
        return
    db.execute("DELETE FROM registry_schema")
    db.execute("INSERT INTO registry_schema (version) VALUES (?)", (version,))


def _split(script: str) -> list[str]:
    """Statements of a migration script, so they run inside our transaction.

    `executescript` would COMMIT first; executing one statement at a time keeps a
    failed migration fully rolled back.
    """
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
