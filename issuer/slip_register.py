"""The register of printed slips: each print gets its own status-list index, a reprint voids the last.

A paper code is static, so "this slip is no longer the valid one" can only be said
through the status list. Each printed slip is therefore given a fresh index from
the same random, never-reused space as credential versions, and its PAPER code
carries that index as ``ref`` (the wire format is unchanged, see docs/format.md).
The status list then says, for a slip's index:

* revoked (2) when the credential is revoked;
* superseded (3) when the slip was voided by a later print, or was printed for an
  older version of the credential (a 变更 happened since);
* suspended (1) while the credential is suspended;
* active (0) otherwise.

Printing voids every earlier slip of the credential in the same transaction, so
at most one slip per credential is ever valid, and a lost slip is neutralised by
printing a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from issuer.ledger import Ledger
from issuer.model import timestamp
from keys.vocabulary import StatusCode

__all__ = ["PrintedSlip", "SlipRegister", "SLIP_STATUS_SQL"]

#: (index, status code) of every slip index that is not active; part of the status list.
SLIP_STATUS_SQL = (
    f"SELECT p.status_index, CASE WHEN c.status = 'revoked' THEN {int(StatusCode.REVOKED)} "
    f"WHEN p.voided_at IS NOT NULL OR p.version <> c.version THEN {int(StatusCode.SUPERSEDED)} "
    f"ELSE {int(StatusCode.SUSPENDED)} END "
    "FROM slips p JOIN credentials c ON c.cred_id = p.cred_id "
    "WHERE p.voided_at IS NOT NULL OR p.version <> c.version OR c.status IN ('revoked', 'suspended')"
)


@dataclass(frozen=True)
class PrintedSlip:
    serial: int
    cred_id: str
    version: int
    status_index: int
    station: str
    printed_at: datetime
    printed_by: str
    voided_at: datetime | None
    voided_by: str | None

    @property
    def valid(self) -> bool:
        return self.voided_at is None


class SlipRegister:
    """The slips table of one registry."""

    def __init__(self, registry: Ledger) -> None:
        self._reg = registry

    def record(self, cred_id: str, version: int, station: str, *, actor: str, now: datetime) -> PrintedSlip:
        """A new slip with a fresh index; every earlier valid slip of the credential is voided.

        Must run inside the caller's transaction (together with the audit entry).
        """
        conn = self._reg.connection
        at = timestamp(now)
        [index] = self._reg.allocate_indices(1)
        conn.execute("UPDATE slips SET voided_at = ?, voided_by = ? WHERE cred_id = ? AND voided_at IS NULL",
                     (at, actor, cred_id))
        cur = conn.execute(
            "INSERT INTO slips (cred_id, version, status_index, station, printed_at, printed_by) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING serial", (cred_id, version, index, station, at, actor))
        return self.get(int(cur.fetchone()[0]))

    def get(self, serial: int) -> PrintedSlip:
        row = self._reg.connection.execute(f"SELECT {_COLUMNS} FROM slips WHERE serial = ?", (serial,)).fetchone()
        if row is None:
            raise KeyError(serial)
        return _slip(row)

    def of_credential(self, cred_id: str) -> list[PrintedSlip]:
        rows = self._reg.connection.execute(
            f"SELECT {_COLUMNS} FROM slips WHERE cred_id = ? ORDER BY serial", (cred_id,)).fetchall()
        return [_slip(r) for r in rows]


_COLUMNS = "serial, cred_id, version, status_index, station, printed_at, printed_by, voided_at, voided_by"


def _slip(r: tuple[Any, ...]) -> PrintedSlip:
    return PrintedSlip(int(r[0]), r[1], int(r[2]), int(r[3]), r[4], datetime.fromisoformat(r[5]), r[6],
                       datetime.fromisoformat(r[7]) if r[7] else None, r[8])
