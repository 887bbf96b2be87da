"""Reading application rows into values, and the identifiers the store draws.

Kept apart from the store so the column list and the row layout are written once.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime
from typing import Any

from .model import Application, ApplicationKind, ApplicationState, Event, ProofBasis

__all__ = ["APP_COLUMNS", "application_from_row", "event_from_row", "new_app_id", "new_key"]

APP_COLUMNS = (
    "app_id, account_id, channel, kind, state, holder_name, id_number, phone, district_code, "
    "address, residence_since, proof_basis, proof_from, proof_to, target_cred_id, proxy_json, "
    "created_at, updated_at, submitted_at, accepted_at, accepted_by, accepted_station, checked_json, "
    "deadline, deadline_known, decided_at, decided_by, reason, issued_cred_id"
)

# No 0/O, 1/I/L or U: a reference number is read out over the phone and at the counter.
_REF_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def new_app_id(today: date) -> str:
    """A reference number such as ``JZ20261123-K7QM3X`` (date of creation, six random characters)."""
    return f"JZ{today:%Y%m%d}-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))


def new_key() -> str:
    """A random key for rows that are never typed by a person."""
    return secrets.token_hex(8)


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def application_from_row(r: tuple[Any, ...]) -> Application:
    created = datetime.fromisoformat(r[16])
    updated = datetime.fromisoformat(r[17])
    return Application(
        app_id=r[0], account_id=r[1], channel=r[2], kind=ApplicationKind(r[3]),
        state=ApplicationState(r[4]), holder_name=r[5], id_number=r[6], phone=r[7],
        district_code=None if r[8] is None else int(r[8]), address=r[9],
        residence_since=_day(r[10]), proof_basis=None if r[11] is None else ProofBasis(r[11]),
        proof_from=r[12], proof_to=r[13], target_cred_id=r[14],
        proxy=None if r[15] is None else json.loads(r[15]),
        created_at=created, updated_at=updated, submitted_at=_dt(r[18]), accepted_at=_dt(r[19]),
        accepted_by=r[20], accepted_station=r[21], checked=json.loads(r[22]) if r[22] else [],
        deadline=_day(r[23]), deadline_known=bool(r[24]), decided_at=_dt(r[25]), decided_by=r[26],
        reason=r[27], issued_cred_id=r[28],
    )


def event_from_row(r: tuple[Any, ...]) -> Event:
    return Event(seq=int(r[0]), at=datetime.fromisoformat(r[1]), actor=r[2],
                 state=ApplicationState(r[3]), note=r[4])
