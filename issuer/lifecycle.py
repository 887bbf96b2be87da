"""What may happen to a credential, and when: issue, 签注, 变更, suspend, revoke, 卡换证.

The registry stores; this module decides. Each operation validates its input,
checks the credential's current (effective, expiry-aware) status, and makes exactly
one registry change, which the registry writes together with its audit entry.
Refusals are `LifecycleError`s with a stable code and a bilingual message.

Every operation takes the acting clerk (`actor`) and the instant (`now`); nothing
here reads a clock, so tests can stand on any day of the calendar.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from issuer.errors import (
    AlreadyExistsError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    OutsideEndorsementWindowError,
)
from issuer.idnumber import IdNumberError, validate_id_number
from issuer.model import Credential, NewCredential, Status, add_years
from keys.timekeeping import beijing_date
from keys.vocabulary import PermitType
from issuer.registry import Registry
from issuer.visits.store import VisitStore
from keys.districts import DISTRICTS, District, district_by_code, district_by_name

__all__ = ["ACTS", "Lifecycle", "LifecycleAct", "LifecyclePolicy", "resolve_district"]

_CRED_ID = re.compile(r"[0-9a-f]{16}")
_MAX_NAME = 50
_MAX_ADDRESS = 200
_MAX_REASON = 200


@dataclass(frozen=True)
class LifecyclePolicy:
    """Rules an office may tune without touching code.

    `endorsement_window_days`: how long before valid_until a 签注 is accepted (the
    window closes at valid_until itself; after that the holder must re-apply).
    """

    endorsement_window_days: int = 90
    endorsement_years: int = 1
    max_issue_years: int = 10

    def endorsement_window(self, valid_until: date) -> tuple[date, date]:
        """First and last day a 签注 is accepted for a credential valid until ``valid_until``."""
        return valid_until - timedelta(days=self.endorsement_window_days), valid_until


def resolve_district(value: str | int) -> District:
    """A district from its code, Chinese name or English name; INVALID_INPUT otherwise.

    Only Beijing's sixteen districts exist here: 浦东新区 is a typo or a wrong file.
    """
    try:
        if isinstance(value, int) or value.strip().isdigit():
            return district_by_code(int(value))
        text = value.strip()
        for d in DISTRICTS:
            if d.name_en.lower() == text.lower():
                return d
        return district_by_name(text)
    except KeyError:
        raise InvalidInputError(f"未知的区：{value}", f"unknown district: {value}") from None


class Lifecycle:
    """Lifecycle operations over one registry."""

    def __init__(self, registry: Registry, policy: LifecyclePolicy | None = None) -> None:
        self.registry = registry
        self.policy = policy if policy is not None else LifecyclePolicy()

    # ---- reads -------------------------------------------------------------

    def get(self, cred_id: str, *, today: date) -> Credential:
        """The credential or NOT_FOUND; `cred_id` may be given in upper case."""
        cid = _normalise_cred_id(cred_id)
        cred = self.registry.get(cid, today=today)
        if cred is None:
            raise NotFoundError(f"凭证 {cid} 不存在", f"credential {cid} not found")
        return cred

    def show(self, cred_id: str, *, actor: str, now: datetime) -> Credential:
        """Read a credential for a clerk; the read itself is audited (personal data)."""
        cred = self.get(cred_id, today=beijing_date(now))
        with self.registry.transaction():
            self.registry.record_audit(actor=actor, operation="show", cred_id=cred.cred_id,
                                       details={}, now=now)
        return cred

    # ---- operations --------------------------------------------------------

    def issue(
        self,
        permit_type: PermitType | int,
        name: str,
        id_number: str,
        address: str,
        district: str | int,
        valid_from: date,
        years: int,
        *,
        actor: str,
        now: datetime,
        context: Mapping[str, Any] | None = None,
    ) -> Credential:
        """Issue a new credential (no legacy card number) valid for `years` years.

        Refused when the holder already has an active or suspended credential: one
        person, one live permit. A home visit to the address is scheduled in the same
        transaction (issuer.visits). `context` goes into the audit entry, e.g. the
        application the permit was issued on and who applied for it (a proxy); it must
        hold no ID number.
        """
        today = beijing_date(now)
        try:
            ptype = PermitType(int(permit_type))
        except ValueError:
            raise InvalidInputError(f"未知的证件类型：{permit_type}",
                                    f"unknown permit type: {permit_type}") from None
        holder = _required_text(name, _MAX_NAME, "姓名", "name")
        where = _required_text(address, _MAX_ADDRESS, "居住地址", "address")
        district_code = resolve_district(district).code
        idn = _validated_id(id_number, today)
        if not 1 <= years <= self.policy.max_issue_years:
            raise InvalidInputError(
                f"有效年限须为1至{self.policy.max_issue_years}年",
                f"years must be between 1 and {self.policy.max_issue_years}",
            )
        valid_until = add_years(valid_from, years)
        if valid_until < today or valid_from > add_years(today, 1):
            raise InvalidInputError("起始日期不合理", "valid_from is too far in the past or future")
        for other in self.registry.find_by_id_number(idn, today=today):
            if other.status in (Status.ACTIVE, Status.SUSPENDED):
                raise AlreadyExistsError(
                    f"该身份号码已有有效凭证 {other.cred_id}",
                    f"holder already has a live credential {other.cred_id}",
                )
        new = NewCredential(
            permit_type=ptype, holder_name=holder, id_number=idn, address=where,
            district_code=district_code, issued_on=today, valid_from=valid_from,
            valid_until=valid_until,
        )
        with self.registry.transaction():
            cred = self.registry.insert_credential(
                new, actor=actor, now=now, operation="issue",
                details={"permit_type": int(ptype), "district_code": district_code,
                         "valid_until": valid_until.isoformat(), **(dict(context) if context else {})},
            )
            VisitStore(self.registry).open_task(cred.cred_id, district_code, where, "issue", actor=actor, now=now)
        return cred

    def endorse(self, cred_id: str, *, actor: str, now: datetime) -> Credential:
        """签注: extend valid_until by the policy's years (one), inside the window only."""
        today = beijing_date(now)
        cred = self.get(cred_id, today=today)
        if cred.status is Status.REVOKED:
            raise InvalidStateError("凭证已注销，不能签注", "credential is revoked; cannot endorse")
        opens, _ = self.policy.endorsement_window(cred.valid_until)
        if not opens <= today <= cred.valid_until:
            raise OutsideEndorsementWindowError(
                f"签注办理期为 {opens} 至 {cred.valid_until}",
                f"endorsement is possible from {opens} to {cred.valid_until}",
            )
        extended = add_years(cred.valid_until, self.policy.endorsement_years)
        return self.registry.set_valid_until(
            cred.cred_id, extended, actor=actor, now=now, operation="endorse",
            details={"previous_valid_until": cred.valid_until.isoformat()},
        )

    def change(
        self,
        cred_id: str,
        *,
        address: str | None = None,
        district: str | int | None = None,
        actor: str,
        now: datetime,
    ) -> Credential:
        """变更: new address and/or district; a new version with a new status index.

        The new address gets a home visit (issuer.visits), scheduled in the same transaction.
        """
        cred = self._require(cred_id, now, {Status.ACTIVE}, "变更", "change")
        new_address = None if address is None else _required_text(
            address, _MAX_ADDRESS, "居住地址", "address")
        new_district = None if district is None else resolve_district(district).code
        changed = [
            name for name, new, old in (
                ("address", new_address, cred.address),
                ("district_code", new_district, cred.district_code),
            ) if new is not None and new != old
        ]
        if not changed:
            raise InvalidInputError("没有需要变更的内容", "nothing to change")
        with self.registry.transaction():
            changed_cred = self.registry.new_version(
                cred.cred_id, actor=actor, now=now, operation="change",
                address=new_address, district_code=new_district,
                details={"changed": changed, "district_code": new_district or cred.district_code},
            )
            VisitStore(self.registry).open_task(changed_cred.cred_id, changed_cred.district_code,
                                                changed_cred.address, "change", actor=actor, now=now)
        return changed_cred

    def suspend(
        self, cred_id: str, *, reason: str | None = None, actor: str, now: datetime
    ) -> Credential:
        """Temporarily stop the credential from verifying (reversible)."""
        cred = self._require(cred_id, now, {Status.ACTIVE}, "暂停", "suspend")
        why = None if reason is None else _required_text(reason, _MAX_REASON, "原因", "reason")
        return self.registry.set_status(
            cred.cred_id, Status.SUSPENDED, actor=actor, now=now, operation="suspend",
            details={} if why is None else {"reason": why},
        )

    def reinstate(self, cred_id: str, *, actor: str, now: datetime) -> Credential:
        """Undo a suspension, unless the credential has expired in the meantime."""
        cred = self._require(cred_id, now, {Status.SUSPENDED}, "恢复", "reinstate")
        return self.registry.set_status(
            cred.cred_id, Status.ACTIVE, actor=actor, now=now, operation="reinstate"
        )

    def revoke(self, cred_id: str, reason: str, *, actor: str, now: datetime) -> Credential:
        """Revoke for good (final); the holder's phones are unenrolled as well."""
        allowed = {Status.ACTIVE, Status.SUSPENDED, Status.EXPIRED}
        cred = self._require(cred_id, now, allowed, "注销", "revoke")
        why = _required_text(reason, _MAX_REASON, "注销原因", "reason")
        with self.registry.transaction():
            revoked = self.registry.set_status(
                cred.cred_id, Status.REVOKED, actor=actor, now=now, operation="revoke",
                reason=why, details={"reason": why},
            )
            self.registry.devices.revoke_all_devices(cred.cred_id, now, actor=actor)
        return revoked

    def convert(self, cred_id: str, *, actor: str, now: datetime) -> Credential:
        """卡换证: a registration card becomes a residence permit (new version and index).

        Validity dates are kept; the permit is then renewed by endorsement as usual.
        """
        cred = self._require(cred_id, now, {Status.ACTIVE}, "卡换证", "convert")
        if cred.permit_type is not PermitType.REGISTRATION_CARD:
            raise InvalidStateError("只有居住登记卡可以换领居住证",
                                    "only a registration card can be converted")
        return self.registry.new_version(
            cred.cred_id, actor=actor, now=now, operation="convert",
            permit_type=PermitType.RESIDENCE_PERMIT,
            details={"permit_type": int(PermitType.RESIDENCE_PERMIT)},
        )

    # ---- helpers -----------------------------------------------------------

    def _require(
        self, cred_id: str, now: datetime, allowed: set[Status], op_zh: str, op_en: str
    ) -> Credential:
        cred = self.get(cred_id, today=beijing_date(now))
        if cred.status not in allowed:
            raise InvalidStateError(
                f"凭证状态为“{cred.status.name_zh}”，不能{op_zh}",
                f"credential is {cred.status.value}; cannot {op_en}",
            )
        return cred


def _normalise_cred_id(cred_id: str) -> str:
    cid = cred_id.strip().lower()
    if not _CRED_ID.fullmatch(cid):
        raise InvalidInputError("凭证编号须为16位十六进制", "cred_id must be 16 hex characters")
    return cid


def _required_text(value: str, limit: int, label_zh: str, label_en: str) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise InvalidInputError(f"{label_zh}须为1至{limit}个字符",
                                f"{label_en} must be 1 to {limit} characters")
    return text


def _validated_id(id_number: str, today: date) -> str:
    try:
        return validate_id_number(id_number, today=today)
    except IdNumberError as exc:
        raise InvalidInputError(f"身份号码无效（{exc.code}）",
                                f"invalid ID number ({exc.code})") from None


#: The acts an official performs on a credential by name, through the console and the admin API alike.
ACTS = ("endorse", "change", "suspend", "reinstate", "revoke", "convert")


@dataclass(frozen=True)
class LifecycleAct:
    """One named act on a credential with the fields it takes (the others are ignored).

    The console (a form) and the admin API (JSON) read their fields their own way
    and meet here, so an act means the same whichever door it came through.
    """

    name: str
    reason: str | None = None
    address: str | None = None
    district: str | int | None = None

    def perform(self, lc: Lifecycle, cred_id: str, *, actor: str, now: datetime) -> Credential:
        if self.name == "endorse":
            return lc.endorse(cred_id, actor=actor, now=now)
        if self.name == "change":
            return lc.change(cred_id, address=self.address, district=self.district, actor=actor, now=now)
        if self.name == "suspend":
            return lc.suspend(cred_id, reason=self.reason, actor=actor, now=now)
        if self.name == "reinstate":
            return lc.reinstate(cred_id, actor=actor, now=now)
        if self.name == "revoke":
            return lc.revoke(cred_id, self.reason or "", actor=actor, now=now)
        if self.name == "convert":
            return lc.convert(cred_id, actor=actor, now=now)
        raise ValueError(f"unknown act {self.name!r}")
