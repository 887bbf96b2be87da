"""Tables of applicant accounts: accounts, sessions, one-time text-message codes.

Plain SQL for SQLite and PostgreSQL alike (see issuer.applications.sql), applied
under the name ``apply_accounts``.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

_V1 = """
CREATE TABLE apply_accounts (
    account_id     TEXT PRIMARY KEY,
    id_number      TEXT NOT NULL UNIQUE CHECK (length(id_number) = 18),
    name           TEXT NOT NULL,
    phone          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    totp_secret    TEXT,
    totp_enabled   INTEGER NOT NULL DEFAULT 0,
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    password_at    TEXT NOT NULL
);

CREATE TABLE apply_sessions (
    token_hash   TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES apply_accounts (account_id),
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX apply_sessions_account ON apply_sessions (account_id);

CREATE TABLE apply_sms_codes (
    phone      TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (phone, purpose)
);

CREATE TABLE apply_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

MIGRATIONS: tuple[str, ...] = (_V1,)
