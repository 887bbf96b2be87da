"""Tables of the application records, stations, appointments and the holiday table.

Plain SQL that SQLite and PostgreSQL both accept: TEXT keys drawn by the store
(no AUTOINCREMENT / IDENTITY), ISO dates as TEXT, booleans as 0/1 INTEGER,
``ON CONFLICT DO NOTHING`` and partial unique indices. Applied through
`issuer.applications.sql.ensure_schema` under the name ``applications``.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

_V1 = """
CREATE TABLE applications (
    app_id          TEXT PRIMARY KEY,
    account_id      TEXT,
    channel         TEXT NOT NULL CHECK (channel IN ('online', 'counter')),
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    holder_name     TEXT NOT NULL,
    id_number       TEXT NOT NULL CHECK (length(id_number) = 18),
    phone           TEXT,
    district_code   INTEGER,
    address         TEXT,
    residence_since TEXT,
    proof_basis     TEXT,
    proof_from      TEXT,
    proof_to        TEXT,
    target_cred_id  TEXT,
    proxy_json      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    submitted_at    TEXT,
    accepted_at     TEXT,
    accepted_by     TEXT,
    accepted_station TEXT,
    checked_json    TEXT,
    deadline        TEXT,
    deadline_known  INTEGER NOT NULL DEFAULT 1,
    decided_at      TEXT,
    decided_by      TEXT,
    reason          TEXT,
    issued_cred_id  TEXT
);
CREATE INDEX applications_account ON applications (account_id);
CREATE INDEX applications_state_deadline ON applications (state, deadline);
CREATE INDEX applications_id_number ON applications (id_number);

CREATE TABLE application_events (
    app_id  TEXT NOT NULL REFERENCES applications (app_id),
    seq     INTEGER NOT NULL,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    state   TEXT NOT NULL,
    note    TEXT,
    PRIMARY KEY (app_id, seq)
);

CREATE TABLE evidence (
    evidence_id   TEXT PRIMARY KEY,
    app_id        TEXT NOT NULL REFERENCES applications (app_id),
    kind          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    original_name TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    removed_at    TEXT
);
CREATE INDEX evidence_app ON evidence (app_id);

CREATE TABLE stations (
    station_id    TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('police', 'service')),
    name_zh       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    district_code INTEGER NOT NULL,
    address       TEXT NOT NULL,
    open_days     TEXT NOT NULL,
    capacity_am   INTEGER NOT NULL CHECK (capacity_am >= 0),
    capacity_pm   INTEGER NOT NULL CHECK (capacity_pm >= 0),
    active        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX stations_district ON stations (district_code);

CREATE TABLE slots (
    station_id TEXT NOT NULL REFERENCES stations (station_id),
    day        TEXT NOT NULL,
    half       TEXT NOT NULL CHECK (half IN ('am', 'pm')),
    capacity   INTEGER NOT NULL,
    booked     INTEGER NOT NULL DEFAULT 0,
    CHECK (booked >= 0 AND booked <= capacity),
    PRIMARY KEY (station_id, day, half)
);

CREATE TABLE appointments (
    appt_id      TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL REFERENCES applications (app_id),
    station_id   TEXT NOT NULL REFERENCES stations (station_id),
    day          TEXT NOT NULL,
    half         TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('booked', 'cancelled', 'attended')),
    booked_at    TEXT NOT NULL,
    cancelled_at TEXT
);
CREATE UNIQUE INDEX appointments_one_live ON appointments (app_id) WHERE state = 'booked';
CREATE INDEX appointments_station_day ON appointments (station_id, day);

CREATE TABLE notifications (
    note_id    TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    app_id     TEXT,
    at         TEXT NOT NULL,
    text_zh    TEXT NOT NULL,
    text_en    TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_account ON notifications (account_id, at);

CREATE TABLE calendar_years (
    year      INTEGER PRIMARY KEY,
    loaded_by TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

CREATE TABLE calendar_days (
    day     TEXT PRIMARY KEY,
    workday INTEGER NOT NULL CHECK (workday IN (0, 1)),
    note    TEXT NOT NULL DEFAULT ''
);
"""

# Notices of one instant keep the order they were written in.
_V2 = """
ALTER TABLE notifications ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
"""

#: Index i migrates the group from version i to i + 1. Append only.
MIGRATIONS: tuple[str, ...] = (_V1, _V2)
