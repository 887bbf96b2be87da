"""The permit registry: credentials, status-list indices, holder devices, audit log.

This layer stores and reads; it does not decide whether an operation is allowed
(that is `issuer.lifecycle`). What it does guarantee is that every change is made
in one transaction together with its audit entry and its status-index bookkeeping,
so the three can never disagree.

The clock is injected: every method that writes takes `now` (an aware datetime),
every method that reports status takes `today` (a Beijing date).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from types import TracebackType
from typing import Any

from issuer.at_rest import AtRest
from issuer.audit_log import append_audit, append_audit_many, read_audit
from issuer.credential_rows import CREDENTIAL_COLUMNS, credential_from_row, effective_status
from issuer.device_keys import DEVICE_KEY_STATUS_SQL, DeviceKeyStore
from issuer.devices import DeviceStore
from issuer.errors import NotFoundError
from issuer.idnumber import mask_id_number
from issuer.model import AuditEntry, Credential, NewCredential, Status, timestamp
from issuer.db import Database
from keys.timekeeping import beijing_date
from keys.vocabulary import PermitType, StatusCode
from issuer.schema import connect
from issuer.slip_register import SLIP_STATUS_SQL
from issuer.status_index import IndexAllocator

__all__ = ["Registry", "effective_status", "mask_id_number"]

_INSERT_CREDENTIAL = (
    "INSERT INTO credentials (cred_id, card_number, permit_type, holder_name, id_number, "
    "address, district_code, issued_on, valid_from, valid_until, status, version, "
    "status_index, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)"
)
_INSERT_INDEX = (
    "INSERT INTO status_indices (idx, cred_id, version, allocated_at) VALUES (?, ?, ?, ?)"
)
_CHANGES_KEY = "registry_changes"
_COUNT_CHANGE = (
    f"INSERT INTO meta (key, value) VALUES ('{_CHANGES_KEY}', '1') ON CONFLICT (key) "
    "DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
)

class Registry:
    """A handle on one registry database: a SQLite file path (``":memory:"`` in tests) or
    a PostgreSQL URL (issuer.db). Nothing read from the database is kept between
    calls, so several handles, processes or machines can share one database.

    `rng` draws credential ids and status indices; it defaults to the operating
    system's generator. Tests pass a seeded `random.Random` for reproducible runs.
    Enrolment codes and device tokens always come from `secrets`, whatever `rng` is.
    """

    def __init__(
        self, path: str | os.PathLike[str] = ":memory:", *, rng: random.Random | None = None,
        at_rest: AtRest | None = None,
    ) -> None:
        self._conn = connect(path)
        self.at_rest = at_rest if at_rest is not None else AtRest()
        """Seals the readable secrets the stores keep (``issuer.at_rest``); unkeyed by default."""
        self._rng = rng if rng is not None else random.SystemRandom()
        self._indices = IndexAllocator(self._rng)
        self._depth = 0
        self.devices = DeviceStore(self)
        """The holder devices and enrolment codes of this registry (``issuer.devices``)."""
        self.device_keys = DeviceKeyStore(self)
        """The holder devices' public keys and their status-list indices (``issuer.device_keys``)."""

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction; nested uses join the outer one.

        Every transaction also counts one change (see `change_marker`), last, so
        the count is written just before the commit.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self._conn
            finally:
                self._depth -= 1
            return
        self._conn.begin()
        self._depth = 1
        try:
            yield self._conn
            self._conn.execute(_COUNT_CHANGE)
        except BaseException:
            self._conn.rollback()
            raise
        else:
            self._conn.commit()
        finally:
            self._depth = 0

    @property
    def connection(self) -> Database:
        """The database (issuer.db), for modules that add their own tables' rows."""
        return self._conn

    # ---- audit -------------------------------------------------------------

    def record_audit(
        self,
        *,
        actor: str,
        operation: str,
        cred_id: str | None,
        details: Mapping[str, Any],
        now: datetime,
    ) -> None:
        """Append one audit entry. Callers must keep ID numbers out of `details`."""
        append_audit(self._conn, actor=actor, operation=operation, cred_id=cred_id, details=details, now=now)

    def audit_entries(self, cred_id: str | None = None) -> list[AuditEntry]:
        """Audit entries in the order they were written, optionally for one credential."""
        return read_audit(self._conn, cred_id)

    # ---- credentials: reads ------------------------------------------------

    def get(self, cred_id: str, *, today: date) -> Credential | None:
        row = self._conn.execute(
            f"SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE cred_id = ?", (cred_id,)
        ).fetchone()
        return credential_from_row(row, today) if row else None

    def get_by_card_number(self, card_number: str, *, today: date) -> Credential | None:
        row = self._conn.execute(
            f"SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE card_number = ?", (card_number,)
        ).fetchone()
        return credential_from_row(row, today) if row else None

    def find_by_id_number(self, id_number: str, *, today: date) -> list[Credential]:
        rows = self._conn.execute(
            f"SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id_number = ? ORDER BY created_at",
            (id_number,),
        ).fetchall()
        return [credential_from_row(r, today) for r in rows]

    def list_credentials(
        self, *, today: date, name: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[Credential]:
        """Newest first, optionally only holders of one exact name: a page for the clerks' list."""
        where, params = ("WHERE holder_name = ? ", (name,)) if name is not None else ("", ())
        rows = self._conn.execute(
            f"SELECT {CREDENTIAL_COLUMNS} FROM credentials {where}"
            "ORDER BY created_at DESC, cred_id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()
        return [credential_from_row(r, today) for r in rows]

    def versions(self, cred_id: str) -> list[tuple[int, int, bool, datetime]]:
        """(version, status index, superseded, allocated at) of every version of a credential."""
        rows = self._conn.execute(
            "SELECT version, idx, superseded, allocated_at FROM status_indices WHERE cred_id = ? "
            "ORDER BY version", (cred_id,)).fetchall()
        return [(int(r[0]), int(r[1]), bool(r[2]), datetime.fromisoformat(r[3])) for r in rows]

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM credentials").fetchone()[0])

    def change_marker(self) -> int:
        """A number that grows with every committed write transaction (any process's).

        A counter row updated inside each write transaction, not the newest audit
        entry id: on PostgreSQL ids are drawn before commit, so a transaction that
        commits late could hide behind a larger id already seen. The row lock also
        orders the counts as the commits."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (_CHANGES_KEY,)).fetchone()
        return int(row[0]) if row else 0

    def index_space(self) -> int:
        """Size of the status list: every index ever allocated is below this."""
        return self._indices.space(self._conn)

    def status_entries(self) -> Iterator[tuple[int, int]]:
        """(index, status code) for every index whose status is not ACTIVE, by index.

        Superseded versions read as SUPERSEDED (REVOKED once the credential is revoked)
        so codes minted for them stop verifying and the official knows to ask for the
        current one.
        Expiry is not listed: valid_until travels in the signed claims. Printed slips
        and holder device keys have indices of their own (issuer.slip_register,
        issuer.device_keys).
        """
        cursor = self._conn.execute(
            "SELECT s.idx, CASE WHEN c.status = 'revoked' THEN ? WHEN s.superseded = 1 THEN ? "
            "ELSE ? END FROM status_indices s JOIN credentials c ON c.cred_id = s.cred_id "
            f"WHERE s.superseded = 1 OR c.status IN ('revoked', 'suspended') UNION ALL {SLIP_STATUS_SQL} "
            f"UNION ALL {DEVICE_KEY_STATUS_SQL} ORDER BY 1",
            (int(StatusCode.REVOKED), int(StatusCode.SUPERSEDED), int(StatusCode.SUSPENDED)),
        )
        for idx, code in cursor:
            yield int(idx), int(code)

    # ---- credentials: writes -----------------------------------------------

    def allocate_indices(self, count: int) -> list[int]:
        """Fresh status-list indices, inside the caller's transaction (which must insert them)."""
        if not self._depth:
            raise RuntimeError("indices are allocated inside a transaction")
        return self._indices.allocate(self._conn, count)

    def insert_credential(
        self,
        new: NewCredential,
        *,
        actor: str,
        now: datetime,
        operation: str = "issue",
        details: Mapping[str, Any] | None = None,
    ) -> Credential:
        """Store a new credential at version 1 with a freshly allocated index."""
        [cred_id] = self.insert_many(
            [new], actor=actor, now=now, operation=operation, details=[details or {}]
        )
        return self._must_get(cred_id, now)

    def insert_many(
        self,
        news: Sequence[NewCredential],
        *,
        actor: str,
        now: datetime,
        operation: str,
        details: Sequence[Mapping[str, Any]],
    ) -> list[str]:
        """Bulk insert (one executemany per table); returns the new cred_ids in order.

        Used by the migration, where per-row round trips would dominate the run time.
        """
        if len(details) != len(news):
            raise ValueError("one details mapping per credential")
        at = timestamp(now)
        with self.transaction() as conn:
            ids = self._new_cred_ids(conn, len(news))
            indices = self._indices.allocate(conn, len(news))
            conn.executemany(
                _INSERT_CREDENTIAL,
                [
                    (cid, n.card_number, int(n.permit_type), n.holder_name, n.id_number,
                     n.address, n.district_code, n.issued_on.isoformat(),
                     n.valid_from.isoformat(), n.valid_until.isoformat(), n.status.value,
                     idx, at, at)
                    for cid, idx, n in zip(ids, indices, news, strict=True)
                ],
            )
            conn.executemany(
                _INSERT_INDEX,
                [(idx, cid, 1, at) for cid, idx in zip(ids, indices, strict=True)],
            )
            append_audit_many(conn, actor=actor, operation=operation, at=at,
                              entries=zip(ids, details, strict=True))
        return ids

    def set_status(
        self,
        cred_id: str,
        status: Status,
        *,
        actor: str,
        now: datetime,
        operation: str,
        reason: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Credential:
        """Store a new status (and revoke reason); no rules are checked here."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE credentials SET status = ?, revoke_reason = coalesce(?, revoke_reason), "
                "updated_at = ? WHERE cred_id = ?",
                (status.value, reason, timestamp(now), cred_id),
            )
            self._require_row(cur.rowcount, cred_id)
            self.record_audit(actor=actor, operation=operation, cred_id=cred_id,
                              details={"status": status.value, **(details or {})}, now=now)
        return self._must_get(cred_id, now)

    def set_valid_until(
        self,
        cred_id: str,
        valid_until: date,
        *,
        actor: str,
        now: datetime,
        operation: str,
        details: Mapping[str, Any] | None = None,
    ) -> Credential:
        """Move the expiry date (endorsement); the version and index stay the same."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE credentials SET valid_until = ?, updated_at = ? WHERE cred_id = ?",
                (valid_until.isoformat(), timestamp(now), cred_id),
            )
            self._require_row(cur.rowcount, cred_id)
            self.record_audit(actor=actor, operation=operation, cred_id=cred_id,
                              details={"valid_until": valid_until.isoformat(),
                                       **(details or {})}, now=now)
        return self._must_get(cred_id, now)

    def new_version(
        self,
        cred_id: str,
        *,
        actor: str,
        now: datetime,
        operation: str,
        address: str | None = None,
        district_code: int | None = None,
        permit_type: PermitType | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Credential:
        """Version + 1 with a new status index; the old index is marked superseded.

        Any change to what a QR code asserts goes through here, so codes minted for
        the old data stop verifying as soon as the status list is republished.
        """
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT version, status_index FROM credentials WHERE cred_id = ?", (cred_id,)
            ).fetchone()
            self._require_row(0 if row is None else 1, cred_id)
            old_version, old_index = int(row[0]), int(row[1])
            [new_index] = self._indices.allocate(conn, 1)
            at = timestamp(now)
            conn.execute("UPDATE status_indices SET superseded = 1 WHERE idx = ?", (old_index,))
            conn.execute(_INSERT_INDEX, (new_index, cred_id, old_version + 1, at))
            conn.execute(
                "UPDATE credentials SET version = ?, status_index = ?, "
                "address = coalesce(?, address), district_code = coalesce(?, district_code), "
                "permit_type = coalesce(?, permit_type), updated_at = ? WHERE cred_id = ?",
                (old_version + 1, new_index, address, district_code,
                 None if permit_type is None else int(permit_type), at, cred_id),
            )
            self.record_audit(
                actor=actor, operation=operation, cred_id=cred_id, now=now,
                details={"version": old_version + 1, "superseded_index": old_index,
                         "status_index": new_index, **(details or {})},
            )
        return self._must_get(cred_id, now)

    # ---- helpers -----------------------------------------------------------

    def _new_cred_ids(self, conn: Database, count: int) -> list[str]:
        ids: list[str] = []
        seen: set[str] = set()
        while len(ids) < count:
            cid = self._rng.getrandbits(64).to_bytes(8, "big").hex()
            if cid in seen:
                continue
            if count == 1 and conn.execute(
                "SELECT 1 FROM credentials WHERE cred_id = ?", (cid,)
            ).fetchone():
                continue  # bulk inserts rely on the primary key instead: 2**-64 per pair
            seen.add(cid)
            ids.append(cid)
        return ids

    def _must_get(self, cred_id: str, now: datetime) -> Credential:
        found = self.get(cred_id, today=beijing_date(now))
        if found is None:
            raise NotFoundError(f"凭证 {cred_id} 不存在", f"credential {cred_id} not found")
        return found

    @staticmethod
    def _require_row(rowcount: int, cred_id: str) -> None:
        if rowcount == 0:
            raise NotFoundError(f"凭证 {cred_id} 不存在", f"credential {cred_id} not found")
