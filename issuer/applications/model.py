"""Values of the application records: kinds, states, the record itself, its timeline.

These are what the applicant platform (issuer.apply) and the officials' console
both read; docs/applications.md describes them for people. Frozen dataclasses, so
a record read from the store cannot be edited and mistaken for what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from issuer.idnumber import mask_id_number

__all__ = [
    "Application",
    "ApplicationKind",
    "ApplicationState",
    "Appointment",
    "Event",
    "EvidenceItem",
    "EvidenceKind",
    "Half",
    "Notification",
    "ProofBasis",
]


class ApplicationKind(StrEnum):
    """What is applied for; values are stored and sent in JSON and never change."""

    REGISTRATION_CARD = "registration_card"  # 居住登记卡
    RESIDENCE_PERMIT = "residence_permit"  # 居住证
    ENDORSEMENT = "endorsement"  # 签注
    CHANGE = "change"  # 变更
    CONVERSION = "conversion"  # 卡换证

    @property
    def name_zh(self) -> str:
        return _KIND_TEXT[self][0]

    @property
    def name_en(self) -> str:
        return _KIND_TEXT[self][1]

    @property
    def needs_credential(self) -> bool:
        """Kinds that act on a credential the applicant already holds."""
        return self in (ApplicationKind.ENDORSEMENT, ApplicationKind.CHANGE, ApplicationKind.CONVERSION)


_KIND_TEXT = {
    ApplicationKind.REGISTRATION_CARD: ("居住登记卡申领", "Registration card"),
    ApplicationKind.RESIDENCE_PERMIT: ("居住证申领", "Residence permit"),
    ApplicationKind.ENDORSEMENT: ("居住证签注", "Endorsement"),
    ApplicationKind.CHANGE: ("变更登记", "Change of address or district"),
    ApplicationKind.CONVERSION: ("卡换证", "Card-to-permit conversion"),
}


class ApplicationState(StrEnum):
    """Where an application stands; see docs/applications.md for who moves it."""

    DRAFT = "draft"
    PREVIEW = "preview"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def name_zh(self) -> str:
        return _STATE_TEXT[self][0]

    @property
    def name_en(self) -> str:
        return _STATE_TEXT[self][1]

    @property
    def final(self) -> bool:
        return self in (ApplicationState.REFUSED, ApplicationState.APPROVED,
                        ApplicationState.REJECTED, ApplicationState.WITHDRAWN)


_STATE_TEXT = {
    ApplicationState.DRAFT: ("草稿", "Draft"),
    ApplicationState.PREVIEW: ("待确认", "Check your answers"),
    ApplicationState.SUBMITTED: ("已提交，待现场受理", "Submitted, awaiting the counter"),
    ApplicationState.ACCEPTED: ("已受理，审核中", "Accepted, under review"),
    ApplicationState.REFUSED: ("现场不予受理", "Refused at the counter"),
    ApplicationState.APPROVED: ("审核通过，已签发", "Approved and issued"),
    ApplicationState.REJECTED: ("审核未通过", "Rejected"),
    ApplicationState.WITHDRAWN: ("已撤回", "Withdrawn"),
}


class ProofBasis(StrEnum):
    """How six months of residence are shown for a residence permit (or a conversion)."""

    REGISTRATION = "registration"  # residence registration held six months
    TAX = "tax"  # six consecutive months of income tax on wages
    SOCIAL_INSURANCE = "social_insurance"  # six consecutive months of 五险


class EvidenceKind(StrEnum):
    """What an uploaded file is meant to prove."""

    TAX = "tax"
    SOCIAL_INSURANCE = "social_insurance"
    LEASE = "lease"  # 租赁合同 / 房产证明: the address
    OTHER = "other"


class Half(StrEnum):
    """A half-day slot at a station."""

    AM = "am"
    PM = "pm"

    @property
    def name_zh(self) -> str:
        return "上午" if self is Half.AM else "下午"

    @property
    def hours(self) -> str:
        return "09:00–12:00" if self is Half.AM else "13:30–17:00"


@dataclass(frozen=True)
class Application:
    """One application record as stored (see docs/applications.md for every field)."""

    app_id: str
    account_id: str | None
    channel: str
    kind: ApplicationKind
    state: ApplicationState
    holder_name: str
    id_number: str = field(repr=False)
    phone: str | None
    district_code: int | None
    address: str | None
    residence_since: date | None
    proof_basis: ProofBasis | None
    proof_from: str | None
    proof_to: str | None
    target_cred_id: str | None
    proxy: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    accepted_at: datetime | None
    accepted_by: str | None
    accepted_station: str | None
    checked: list[str]
    deadline: date | None
    deadline_known: bool
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    issued_cred_id: str | None

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


@dataclass(frozen=True)
class Event:
    """One step of an application's timeline (what the applicant sees)."""

    seq: int
    at: datetime
    actor: str
    state: ApplicationState
    note: str | None


@dataclass(frozen=True)
class EvidenceItem:
    """An uploaded file's record; the bytes live in issuer.applications.evidence files."""

    evidence_id: str
    app_id: str
    kind: EvidenceKind
    content_type: str
    size: int
    sha256: str
    original_name: str
    uploaded_at: datetime
    uploaded_by: str


@dataclass(frozen=True)
class Appointment:
    appt_id: str
    app_id: str
    station_id: str
    day: date
    half: Half
    state: str
    booked_at: datetime


@dataclass(frozen=True)
class Notification:
    note_id: str
    account_id: str
    app_id: str | None
    at: datetime
    text_zh: str
    text_en: str
    read: bool
