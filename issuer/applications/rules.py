"""What each kind of application needs before it can be submitted.

Pure functions of the application's fields, the evidence uploaded and the
applicant's existing credentials; the store calls them at preview and again at
submission, so the page and the record can never disagree. Every problem is
reported against the field it belongs to, in Chinese and English.

The six-months rule for a residence permit (居住证): either a residence
registration held at least six months, or six consecutive months of income tax
on wages or of social insurance (五险) ending with the month two months before
the application month (上上月): applying in December 2026 needs May to October 2026.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from issuer.lifecycle import LifecyclePolicy
from issuer.model import Credential, Status
from keys.vocabulary import PermitType

from .model import ApplicationKind, EvidenceKind, ProofBasis

__all__ = [
    "Draft",
    "RESIDENCE_MONTHS",
    "Problems",
    "add_months",
    "month_of",
    "problems",
    "required_months",
]

RESIDENCE_MONTHS = 6
Problems = dict[str, tuple[str, str]]


def month_of(day: date) -> str:
    """``YYYY-MM`` of a day."""
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month: str, n: int) -> str:
    """``YYYY-MM`` moved by ``n`` months (negative goes back), across year ends."""
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_month(text: str) -> str | None:
    """A valid ``YYYY-MM`` or None."""
    if len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()):
        return None
    return text if 1 <= int(text[5:]) <= 12 and int(text[:4]) >= 1900 else None


def required_months(applied_on: date) -> tuple[str, str]:
    """First and last month of the six that must be paid: ending with 上上月."""
    last = add_months(month_of(applied_on), -2)
    return add_months(last, -(RESIDENCE_MONTHS - 1)), last


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the last day of the month if it has fewer days)."""
    target = add_months(month_of(day), -months)
    year, mon = int(target[:4]), int(target[5:])
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, mon, d)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


@dataclass(frozen=True)
class Draft:
    """The fields of an application that the rules look at."""

    kind: ApplicationKind
    district_code: int | None
    address: str | None
    residence_since: date | None
    proof_basis: ProofBasis | None
    proof_from: str | None
    proof_to: str | None
    target_cred_id: str | None


def problems(
    draft: Draft,
    *,
    today: date,
    evidence: Collection[EvidenceKind],
    own_credentials: Sequence[Credential],
    policy: LifecyclePolicy | None = None,
) -> Problems:
    """Every reason the draft cannot be submitted today, by field (empty when it can)."""
    found: Problems = {}
    kind = draft.kind
    target = _target(draft, own_credentials, found) if kind.needs_credential else None
    if kind in (ApplicationKind.REGISTRATION_CARD, ApplicationKind.RESIDENCE_PERMIT):
        _address(draft, found, required=True)
        if draft.residence_since is None:
            found["residence_since"] = ("请填写开始居住日期", "Enter the date your residence began")
        elif draft.residence_since > today:
            found["residence_since"] = ("开始居住日期不能晚于今天", "The date your residence began must be in the past")
        for cred in own_credentials:
            if cred.status in (Status.ACTIVE, Status.SUSPENDED):
                found["kind"] = ("您已持有有效证件，请申请签注、变更或卡换证",
                                 "You already hold a live permit: apply for an endorsement, change or conversion")
    if kind in (ApplicationKind.RESIDENCE_PERMIT, ApplicationKind.CONVERSION):
        _six_months(draft, today, evidence, own_credentials, found)
    if kind is ApplicationKind.ENDORSEMENT and target is not None:
        window = (policy or LifecyclePolicy()).endorsement_window(target.valid_until)
        if not window[0] <= today <= window[1]:
            found["target_cred_id"] = (f"签注办理期为 {window[0]} 至 {window[1]}",
                                       f"An endorsement can be applied for from {window[0]} to {window[1]}")
    if kind is ApplicationKind.CHANGE and target is not None:
        _address(draft, found, required=False)
        same_address = draft.address is None or draft.address.strip() == target.address
        same_district = draft.district_code is None or draft.district_code == target.district_code
        if same_address and same_district and "address" not in found:
            found["address"] = ("请填写新的居住地址或所属区", "Enter the new address or district")
    if kind is ApplicationKind.CONVERSION and target is not None:
        if target.permit_type is not PermitType.REGISTRATION_CARD:
            found["target_cred_id"] = ("只有居住登记卡可以换领居住证", "Only a registration card can be converted")
    return found


def _target(draft: Draft, own: Sequence[Credential], found: Problems) -> Credential | None:
    match = [c for c in own if c.cred_id == draft.target_cred_id]
    if not match:
        found["target_cred_id"] = ("请选择您持有的证件", "Choose the permit you hold")
        return None
    if match[0].status is not Status.ACTIVE:
        found["target_cred_id"] = (f"该证件状态为“{match[0].status.name_zh}”", f"That permit is {match[0].status.value}")
        return None
    return match[0]


def _address(draft: Draft, found: Problems, *, required: bool) -> None:
    if draft.district_code is None and required:
        found["district_code"] = ("请选择居住地所属区", "Choose the district you live in")
    if draft.address is None or not draft.address.strip():
        if required:
            found["address"] = ("请填写在京居住地址", "Enter your address in Beijing")
    elif len(draft.address.strip()) < 6:
        found["address"] = ("请填写完整地址（街道、门牌号）", "Enter the full address (street and number)")


def _six_months(
    draft: Draft, today: date, evidence: Collection[EvidenceKind], own: Sequence[Credential], found: Problems
) -> None:
    basis = draft.proof_basis
    if basis is None:
        found["proof_basis"] = ("请选择居住满六个月的证明方式", "Choose how you show six months of residence")
        return
    if basis is ProofBasis.REGISTRATION:
        since = months_before(today, RESIDENCE_MONTHS)
        held = [c for c in own if c.permit_type is PermitType.REGISTRATION_CARD
                and c.status is Status.ACTIVE and c.valid_from <= since]
        if not held:
            found["proof_basis"] = (f"未查到 {since} 以前办理且有效的居住登记",
                                    f"No live residence registration from {since} or earlier was found")
        return
    first, last = required_months(today)
    start = parse_month(draft.proof_from or "")
    end = parse_month(draft.proof_to or "")
    if start is None or end is None or start > end:
        found["proof_from"] = ("请填写连续缴纳的起止月份（YYYY-MM）", "Enter the first and last month paid (YYYY-MM)")
    elif not (start <= first and end >= last):
        found["proof_from"] = (f"须连续缴纳 {first} 至 {last} 共六个月",
                               f"Six consecutive months from {first} to {last} are needed")
    wanted = EvidenceKind.TAX if basis is ProofBasis.TAX else EvidenceKind.SOCIAL_INSURANCE
    if wanted not in evidence:
        what = ("个人所得税纳税证明", "proof of income tax") if basis is ProofBasis.TAX else (
            "社会保险缴费证明", "proof of social insurance")
        found["evidence"] = (f"请上传{what[0]}", f"Upload the {what[1]}")
