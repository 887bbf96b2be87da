"""A credentials row as the registry reads it: its columns and the `Credential` it gives.

Kept apart from the registry's transactions because the status a row *reads* as
(expiry included) is a rule of its own, also asked by the stores built on the
registry and by reports.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from issuer.model import Credential, Status
from keys.vocabulary import PermitType

__all__ = ["CREDENTIAL_COLUMNS", "credential_from_row", "effective_status"]

CREDENTIAL_COLUMNS = (
    "cred_id, card_number, permit_type, holder_name, id_number, address, district_code, "
    "issued_on, valid_from, valid_until, status, revoke_reason, version, status_index"
)

def effective_status(stored: Status, valid_until: date, today: date) -> Status:
    """Stored status adjusted for expiry: past valid_until it reads as expired.

    Revocation wins over expiry, because a revoked credential must never come back.
    The day itself is still valid: a card "valid until 2027-05-12" works that day.
    """
    if stored in (Status.REVOKED, Status.EXPIRED):
        return stored
    return Status.EXPIRED if valid_until < today else stored


def credential_from_row(row: tuple[Any, ...], today: date) -> Credential:
    valid_until = date.fromisoformat(row[9])
    return Credential(
        cred_id=row[0],
        card_number=row[1],
        permit_type=PermitType(row[2]),
        holder_name=row[3],
        id_number=row[4],
        address=row[5],
        district_code=int(row[6]),
        issued_on=date.fromisoformat(row[7]),
        valid_from=date.fromisoformat(row[8]),
        valid_until=valid_until,
        status=effective_status(Status(row[10]), valid_until, today),
        revoke_reason=row[11],
        version=int(row[12]),
        status_index=int(row[13]),
    )
