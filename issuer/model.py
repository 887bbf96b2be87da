"""Values the issuer hands out: credentials, devices, audit entries, and their enums.

Everything here is a frozen dataclass or an enum so a value read from the registry
cannot be edited by accident and then mistaken for what is stored. Dates follow
Beijing's calendar (UTC+8, no daylight saving), because "expires on 2027-05-12"
on a printed card means the Beijing day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import IntEnum, StrEnum
from typing import Any

from issuer.idnumber import mask_id_number
from keys.districts import District, district_by_code

__all__ = [
    "BEIJING",
    "AuditEntry",
    "Credential",
    "CredentialClaims",
    "Device",
    "NewCredential",
    "PermitType",
    "Status",
    "StatusCode",
    "add_years",
    "beijing_date",
    "timestamp",
]

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def beijing_date(now: datetime) -> date:
    """The Beijing calendar day of an aware instant; naive datetimes are refused.

    A naive datetime would be read in the server's local zone, which is how an expiry
    ends up off by a day at midnight; refusing it keeps the caller honest.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(BEIJING).date()


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


class PermitType(IntEnum):
    """Credential type. Values match the wire enum in keys/ and must never change."""

    RESIDENCE_PERMIT = 1  # 居住证
    REGISTRATION_CARD = 2  # 居住登记卡

    @property
    def name_zh(self) -> str:
        return _TYPE_ZH[self]

    @classmethod
    def from_zh(cls, text: str) -> PermitType:
        """Parse the export's 证件类型 column; KeyError when it is neither type."""
        return _ZH_TYPE[text.strip()]


_TYPE_ZH = {PermitType.RESIDENCE_PERMIT: "居住证", PermitType.REGISTRATION_CARD: "居住登记卡"}
_ZH_TYPE = {v: k for k, v in _TYPE_ZH.items()}


class Status(StrEnum):
    """Lifecycle status. EXPIRED is also derived on read from valid_until."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"

    @property
    def name_zh(self) -> str:
        return _STATUS_ZH[self]


_STATUS_ZH = {
    Status.ACTIVE: "有效",
    Status.SUSPENDED: "已暂停",
    Status.REVOKED: "已注销",
    Status.EXPIRED: "已过期",
}


class StatusCode(IntEnum):
    """What the published status list says about one index."""

    ACTIVE = 0
    SUSPENDED = 1
    REVOKED = 2  # also used for indices of superseded versions


@dataclass(frozen=True)
class CredentialClaims:
    """Exactly what goes into a QR code: nothing more leaves the issuer."""

    cred_id: bytes
    version: int
    status_index: int
    permit_type: PermitType
    district_code: int
    valid_until: date
    id_last4: str
    holder_name: str


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
    def cred_id_bytes(self) -> bytes:
        return bytes.fromhex(self.cred_id)

    @property
    def id_last4(self) -> str:
        return self.id_number[-4:]

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def district(self) -> District:
        return district_by_code(self.district_code)

    @property
    def is_usable(self) -> bool:
        """Whether a holder may present it now (active and not expired)."""
        return self.status is Status.ACTIVE

    def claims(self) -> CredentialClaims:
        """The QR claim set for the current version of this credential."""
        return CredentialClaims(
            cred_id=self.cred_id_bytes,
            version=self.version,
            status_index=self.status_index,
            permit_type=self.permit_type,
            district_code=self.district_code,
            valid_until=self.valid_until,
            id_last4=self.id_last4,
            holder_name=self.holder_name,
        )


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
