"""Values the issuer hands out: credentials, devices, audit entries, and their enums.

Everything here is a frozen dataclass or an enum so a value read from the registry
cannot be edited by accident and then mistaken for what is stored. Dates follow
Beijing's calendar (keys.timekeeping), because "expires on 2027-05-12" on a
printed card means the Beijing day. Permit types and status-list codes are the
shared vocabulary of keys.vocabulary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Any

from issuer.idnumber import mask_id_number
from keys.districts import District, district_by_code
# Defined in keys/ (the vocabulary the issuer shares with every verifier); BEIJING and
# StatusCode are imported too, for modules that look for them beside the issuer's values.
from keys.timekeeping import BEIJING, beijing_date
from keys.vocabulary import PermitType, StatusCode

__all__ = [
    "AuditEntry",
    "Credential",
    "Device",
    "NewCredential",
    "Status",
    "add_years",
    "timestamp",
]


def timestamp(now: datetime) -> str:
    """Fixed-width UTC text, so stored instants compare correctly as strings."""
    beijing_date(now)  # refuses naive datetimes
    return now.astimezone(timezone.utc).isoformat(timespec="microseconds")


def add_years(d: date, years: int) -> date:
    """Same month and day `years` later; 29 February becomes 28 February."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


class Status(StrEnum):
    """Lifecycle status. EXPIRED is also derived on read from valid_until."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"

    @property
    def name_zh(self) -> str:
        return _STATUS_NAMES[self][0]

    @property
    def name_en(self) -> str:
        return _STATUS_NAMES[self][1]


_STATUS_NAMES = {
    Status.ACTIVE: ("有效", "Active"),
    Status.SUSPENDED: ("已暂停", "Suspended"),
    Status.REVOKED: ("已注销", "Revoked"),
    Status.EXPIRED: ("已过期", "Expired"),
}


@dataclass(frozen=True)
class NewCredential:
    """Input for a registry insert; the registry adds cred_id, version and index."""

    permit_type: PermitType
    holder_name: str
    id_number: str = field(repr=False)
    address: str
    district_code: int
    issued_on: date
    valid_from: date
    valid_until: date
    card_number: str | None = None
    status: Status = Status.ACTIVE


@dataclass(frozen=True)
class Credential:
    """A credential as read at one day (`status` already accounts for expiry).

    `id_number` is excluded from repr so a credential printed in a log or a test
    failure shows only `masked_id_number`.
    """

    cred_id: str
    card_number: str | None
    permit_type: PermitType
    holder_name: str
    id_number: str = field(repr=False)
    address: str
    district_code: int
    issued_on: date
    valid_from: date
    valid_until: date
    status: Status
    revoke_reason: str | None
    version: int
    status_index: int

    @property
    def id_last4(self) -> str:
        return self.id_number[-4:]

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def district(self) -> District:
        return district_by_code(self.district_code)


@dataclass(frozen=True)
class Device:
    """A holder's phone enrolled to show live codes for one credential."""

    device_id: int
    cred_id: str
    label: str
    enrolled_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class AuditEntry:
    """One recorded operation. `details_json` never holds ID numbers."""

    entry_id: int
    at: datetime
    actor: str
    operation: str
    cred_id: str | None
    details_json: str

    @property
    def details(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.details_json)
        return value
