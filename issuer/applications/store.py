"""The application records and every move between their states.

One class, `ApplicationStore`, over the registry's database (through
`issuer.applications.sql.Sql`, so a PostgreSQL backend can take its place). The
applicant platform (issuer.apply) and the officials' console both call it; the
states and who may move them are in docs/applications.md::

    draft ⇄ preview → submitted → accepted → approved | rejected
                          └→ refused           (at the counter)
    draft, preview, submitted → withdrawn      (by the applicant)

Each move is one transaction that also appends to the application's timeline;
approval issues (or endorses, changes, converts) the credential through
`issuer.lifecycle` inside the same transaction. Refusals are `LifecycleError`s.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from issuer.errors import (
    AlreadyExistsError,
    ApplicationIncompleteError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    SeparationOfDutiesError,
)
from issuer.lifecycle import Lifecycle, resolve_district
from issuer.model import Credential, timestamp
from keys.timekeeping import beijing_date
from keys.vocabulary import PermitType
from issuer.registry import Registry
from issuer.sms import SmsSender

from .model import Application, ApplicationKind, ApplicationState, Event, EvidenceKind, Notification, ProofBasis
from .records import APP_COLUMNS, application_from_row, event_from_row, new_app_id, new_key
from .rules import Draft, problems
from .schema import MIGRATIONS
from .sql import Sql, ensure_schema
from .workdays import REVIEW_WORKING_DAYS, WorkCalendar

__all__ = ["ApplicationStore", "EDITABLE_FIELDS"]

S = ApplicationState
#: Fields an applicant may set on a draft (``update``).
EDITABLE_FIELDS = ("district_code", "address", "residence_since", "proof_basis", "proof_from",
                   "proof_to", "target_cred_id")
#: Years a newly issued card or permit is valid (then renewed by endorsement).
ISSUE_YEARS = 1
_MAX_REASON = 200
_OPEN = (S.SUBMITTED.value, S.ACCEPTED.value)


class ApplicationStore:
    """Application records in one registry. ``sms`` receives the notices sent to applicants."""

    def __init__(self, registry: Registry, *, sms: SmsSender | None = None,
                 calendar: WorkCalendar | None = None) -> None:
        self.registry = registry
        self.sql = Sql(registry)
        ensure_schema(self.sql, "applications", MIGRATIONS)
        self.sms = sms
        self.calendar = calendar if calendar is not None else WorkCalendar(self.sql)
        self._pending_sms: list[tuple[str, str, datetime]] = []

    # ---- reads -------------------------------------------------------------

    def get(self, app_id: str) -> Application:
        row = self.sql.one(f"SELECT {APP_COLUMNS} FROM applications WHERE app_id = ?", (app_id,))
        if row is None:
            raise NotFoundError(f"申请 {app_id} 不存在", f"application {app_id} not found")
        return application_from_row(row)

    def for_account(self, account_id: str) -> list[Application]:
        """An applicant's applications, newest first."""
        rows = self.sql.all(f"SELECT {APP_COLUMNS} FROM applications WHERE account_id = ? "
                            "ORDER BY created_at DESC", (account_id,))
        return [application_from_row(r) for r in rows]

    def for_id_number(self, id_number: str) -> list[Application]:
        rows = self.sql.all(f"SELECT {APP_COLUMNS} FROM applications WHERE id_number = ? "
                            "ORDER BY created_at DESC", (id_number,))
        return [application_from_row(r) for r in rows]

    def review_queue(self, *, district_code: int | None = None, station_id: str | None = None,
                     limit: int = 200) -> list[Application]:
        """Accepted applications awaiting a decision, earliest deadline (so overdue) first;
        those whose deadline is unknown (calendar not loaded) lead, flagged."""
        where: list[str] = ["state = ?"]
        params: list[Any] = [S.ACCEPTED.value]
        if district_code is not None:
            where.append("district_code = ?")
            params.append(district_code)
        if station_id is not None:
            where.append("accepted_station = ?")
            params.append(station_id)
        rows = self.sql.all(
            f"SELECT {APP_COLUMNS} FROM applications WHERE {' AND '.join(where)} "
            "ORDER BY deadline_known, deadline, accepted_at LIMIT ?", (*params, limit))
        return [application_from_row(r) for r in rows]

    def timeline(self, app_id: str) -> list[Event]:
        rows = self.sql.all("SELECT seq, at, actor, state, note FROM application_events "
                            "WHERE app_id = ? ORDER BY seq", (app_id,))
        return [event_from_row(r) for r in rows]

    def notifications(self, account_id: str, limit: int = 20) -> list[Notification]:
        """An account's notices, newest first."""
        rows = self.sql.all("SELECT note_id, account_id, app_id, at, text_zh, text_en, read_at FROM notifications "
                            "WHERE account_id = ? ORDER BY seq DESC LIMIT ?", (account_id, limit))
        return [Notification(note_id=r[0], account_id=r[1], app_id=r[2], at=datetime.fromisoformat(r[3]),
                             text_zh=r[4], text_en=r[5], read=r[6] is not None) for r in rows]

    def evidence_kinds(self, app_id: str) -> set[EvidenceKind]:
        rows = self.sql.all("SELECT DISTINCT kind FROM evidence WHERE app_id = ? AND removed_at IS NULL",
                            (app_id,))
        return {EvidenceKind(r[0]) for r in rows}

    def problems(self, app: Application, today: date) -> dict[str, tuple[str, str]]:
        """What still stops ``app`` from being submitted today (empty when nothing)."""
        draft = Draft(kind=app.kind, district_code=app.district_code, address=app.address,
                      residence_since=app.residence_since, proof_basis=app.proof_basis,
                      proof_from=app.proof_from, proof_to=app.proof_to, target_cred_id=app.target_cred_id)
        own = self.registry.find_by_id_number(app.id_number, today=today)
        return problems(draft, today=today, evidence=self.evidence_kinds(app.app_id), own_credentials=own)

    # ---- the applicant's moves ---------------------------------------------

    def create(self, *, kind: ApplicationKind | str, holder_name: str, id_number: str, phone: str | None,
               account_id: str | None, actor: str, now: datetime, channel: str = "online",
               proxy: dict[str, Any] | None = None) -> Application:
        """A new draft for ``id_number`` (the account's own: the caller checks that)."""
        try:
            which = ApplicationKind(kind)
        except ValueError:
            raise InvalidInputError(f"未知的申请类型：{kind}", f"unknown application kind: {kind}") from None
        if channel not in ("online", "counter"):
            raise InvalidInputError("未知的申请渠道", f"unknown channel: {channel}")
        at = timestamp(now)
        with self.sql.transaction():
            app_id = new_app_id(beijing_date(now))
            while self.sql.one("SELECT 1 FROM applications WHERE app_id = ?", (app_id,)):
                app_id = new_app_id(beijing_date(now))
            self.sql.run(
                "INSERT INTO applications (app_id, account_id, channel, kind, state, holder_name, id_number, "
                "phone, proxy_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (app_id, account_id, channel, which.value, S.DRAFT.value, holder_name, id_number, phone,
                 None if proxy is None else json.dumps(proxy, ensure_ascii=False), at, at))
            self.record_event(app_id, actor, S.DRAFT, None, now)
        return self.get(app_id)

    def update(self, app_id: str, *, actor: str, now: datetime, **fields: Any) -> Application:
        """Change draft fields (``EDITABLE_FIELDS``); an application in preview goes back to draft."""
        app = self._require(app_id, {S.DRAFT, S.PREVIEW}, "修改", "edit")
        unknown = set(fields) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidInputError("含有不能修改的字段", f"fields cannot be edited: {sorted(unknown)}")
        values = {name: _column_value(name, value) for name, value in fields.items()}
        with self.sql.transaction():
            if values:
                sets = ", ".join(f"{name} = ?" for name in values)
                self.sql.run(f"UPDATE applications SET {sets}, updated_at = ? WHERE app_id = ?",
                             (*values.values(), timestamp(now), app_id))
            if app.state is S.PREVIEW:
                self._move(app, S.DRAFT, actor, now, None)
        return self.get(app_id)

    def preview(self, app_id: str, *, actor: str, now: datetime) -> Application:
        """draft → preview ("check your answers"), only when nothing is missing."""
        app = self._require(app_id, {S.DRAFT, S.PREVIEW}, "预览", "preview")
        found = self.problems(app, beijing_date(now))
        if found:
            raise ApplicationIncompleteError(found)
        if app.state is S.DRAFT:
            with self.sql.transaction():
                self._move(app, S.PREVIEW, actor, now, None)
        return self.get(app_id)

    def submit(self, app_id: str, *, actor: str, now: datetime) -> Application:
        """preview → submitted; the rules are checked again (a day may have passed)."""
        app = self._require(app_id, {S.PREVIEW}, "提交", "submit")
        found = self.problems(app, beijing_date(now))
        if found:
            raise ApplicationIncompleteError(found)
        with self.sql.transaction():
            other = self.sql.one(
                f"SELECT app_id FROM applications WHERE id_number = ? AND app_id <> ? AND state IN (?, ?)",
                (app.id_number, app_id, *_OPEN))
            if other is not None:
                raise AlreadyExistsError(f"您已有办理中的申请 {other[0]}",
                                         f"you already have an application in progress: {other[0]}")
            self.sql.run("UPDATE applications SET submitted_at = ? WHERE app_id = ?", (timestamp(now), app_id))
            self._move(app, S.SUBMITTED, actor, now, None)
            self._notify(app, "申请已提交，请预约到现场办理", "Application submitted: book a visit to a station", now)
        return self._done(app_id)

    def withdraw(self, app_id: str, *, actor: str, now: datetime) -> Application:
        """Withdraw before acceptance; a booked appointment is cancelled and its place freed."""
        app = self._require(app_id, {S.DRAFT, S.PREVIEW, S.SUBMITTED}, "撤回", "withdraw")
        from .appointments import release_live_appointment

        with self.sql.transaction():
            release_live_appointment(self.sql, app_id, now)
            self._move(app, S.WITHDRAWN, actor, now, None)
        return self.get(app_id)

    # ---- the officials' moves ----------------------------------------------

    def accept(self, app_id: str, *, officer: str, station_id: str | None, checked: Sequence[str],
               now: datetime, note: str | None = None) -> Application:
        """submitted → accepted at the counter: ID card compared, evidence checked (listed in
        ``checked``); the review deadline is set to 8 working days later, or flagged unknown."""
        app = self._require(app_id, {S.SUBMITTED}, "受理", "accept")
        deadline = self.calendar.add_working_days(beijing_date(now), REVIEW_WORKING_DAYS)
        with self.sql.transaction():
            self.sql.run(
                "UPDATE applications SET accepted_at = ?, accepted_by = ?, accepted_station = ?, "
                "checked_json = ?, deadline = ?, deadline_known = ? WHERE app_id = ?",
                (timestamp(now), officer, station_id, json.dumps(list(checked), ensure_ascii=False),
                 None if deadline is None else deadline.isoformat(), int(deadline is not None), app_id))
            self.sql.run("UPDATE appointments SET state = 'attended' WHERE app_id = ? AND state = 'booked'",
                         (app_id,))
            self._move(app, S.ACCEPTED, officer, now, note)
            when = f"{deadline}" if deadline else "待定 / to be set"
            self._notify(app, f"申请已受理，审核期限至 {when}", f"Application accepted; decision due by {when}", now)
        return self._done(app_id)

    def refuse(self, app_id: str, *, officer: str, reason: str, now: datetime) -> Application:
        """submitted → refused at the counter (documents missing, ID does not match, ...)."""
        app = self._require(app_id, {S.SUBMITTED}, "不予受理", "refuse")
        why = _reason(reason)
        with self.sql.transaction():
            self.sql.run("UPDATE applications SET decided_at = ?, decided_by = ?, reason = ? WHERE app_id = ?",
                         (timestamp(now), officer, why, app_id))
            self.sql.run("UPDATE appointments SET state = 'attended' WHERE app_id = ? AND state = 'booked'",
                         (app_id,))
            self._move(app, S.REFUSED, officer, now, why)
            self._notify(app, f"申请未予受理：{why}", f"Application refused at the counter: {why}", now)
        return self._done(app_id)

    def approve(self, app_id: str, *, officer: str, lifecycle: Lifecycle, now: datetime) -> tuple[Application, Credential]:
        """accepted → approved, and the credential issued (or endorsed, changed, converted)
        through the lifecycle in the same transaction. The officer who accepted may not approve."""
        app = self._require(app_id, {S.ACCEPTED}, "审核通过", "approve")
        self._second_officer(app, officer)
        with self.sql.transaction():
            cred = _carry_out(app, lifecycle, officer, now)
            self.sql.run("UPDATE applications SET decided_at = ?, decided_by = ?, issued_cred_id = ? "
                         "WHERE app_id = ?", (timestamp(now), officer, cred.cred_id, app_id))
            self._move(app, S.APPROVED, officer, now, None)
            self._notify(app, "申请已审核通过，电子居住证已签发，可在账户中绑定手机",
                         "Application approved: the permit is issued; add it to your phone from your account", now)
        return self._done(app_id), cred

    def reject(self, app_id: str, *, officer: str, reason: str, now: datetime) -> Application:
        """accepted → rejected with a reason the applicant sees."""
        app = self._require(app_id, {S.ACCEPTED}, "审核不通过", "reject")
        self._second_officer(app, officer)
        why = _reason(reason)
        with self.sql.transaction():
            self.sql.run("UPDATE applications SET decided_at = ?, decided_by = ?, reason = ? WHERE app_id = ?",
                         (timestamp(now), officer, why, app_id))
            self._move(app, S.REJECTED, officer, now, why)
            self._notify(app, f"申请未通过审核：{why}", f"Application rejected: {why}", now)
        return self._done(app_id)

    # ---- helpers -----------------------------------------------------------

    def _require(self, app_id: str, allowed: Iterable[ApplicationState], op_zh: str, op_en: str) -> Application:
        self._pending_sms = []  # messages of an earlier move that failed are never sent
        app = self.get(app_id)
        if app.state not in set(allowed):
            raise InvalidStateError(f"申请状态为“{app.state.name_zh}”，不能{op_zh}",
                                    f"application is {app.state.value}; cannot {op_en}")
        return app

    @staticmethod
    def _second_officer(app: Application, officer: str) -> None:
        if app.accepted_by == officer:
            raise SeparationOfDutiesError("受理人不能审核同一申请", "the officer who accepted cannot decide")

    def _move(self, app: Application, to: ApplicationState, actor: str, now: datetime, note: str | None) -> None:
        changed = self.sql.run("UPDATE applications SET state = ?, updated_at = ? WHERE app_id = ? AND state = ?",
                               (to.value, timestamp(now), app.app_id, app.state.value))
        if changed != 1:  # moved by someone else since it was read
            raise InvalidStateError("申请状态已变化，请刷新", "the application changed meanwhile; reload it")
        self.record_event(app.app_id, actor, to, note, now)

    def record_event(self, app_id: str, actor: str, state: ApplicationState, note: str | None, now: datetime) -> None:
        """Append a line to the timeline (inside the caller's transaction)."""
        seq = int(self.sql.scalar("SELECT coalesce(max(seq), 0) + 1 FROM application_events WHERE app_id = ?",
                                  (app_id,)))
        self.sql.run("INSERT INTO application_events (app_id, seq, at, actor, state, note) VALUES (?, ?, ?, ?, ?, ?)",
                     (app_id, seq, timestamp(now), actor, state.value, note))

    def _notify(self, app: Application, zh: str, en: str, now: datetime) -> None:
        """A notice in the account (same transaction) and a text message (sent after commit)."""
        if app.account_id is not None:
            seq = int(self.sql.scalar("SELECT coalesce(max(seq), 0) + 1 FROM notifications WHERE account_id = ?",
                                      (app.account_id,)))
            self.sql.run("INSERT INTO notifications (note_id, account_id, app_id, at, text_zh, text_en, seq) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (new_key(), app.account_id, app.app_id, timestamp(now), zh, en, seq))
        if app.phone:
            self._pending_sms.append((app.phone, f"【北京居住证】{app.app_id} {zh}", now))

    def _done(self, app_id: str) -> Application:
        pending, self._pending_sms = self._pending_sms, []
        if self.sms is not None:
            for phone, text, at in pending:
                self.sms.send(phone, text, at)
        return self.get(app_id)


def _carry_out(app: Application, lifecycle: Lifecycle, officer: str, now: datetime) -> Credential:
    today = beijing_date(now)
    if app.kind in (ApplicationKind.REGISTRATION_CARD, ApplicationKind.RESIDENCE_PERMIT):
        ptype = PermitType.RESIDENCE_PERMIT if app.kind is ApplicationKind.RESIDENCE_PERMIT else PermitType.REGISTRATION_CARD
        assert app.address is not None and app.district_code is not None
        return lifecycle.issue(ptype, app.holder_name, app.id_number, app.address, app.district_code,
                               today, ISSUE_YEARS, actor=officer, now=now)
    assert app.target_cred_id is not None
    if app.kind is ApplicationKind.ENDORSEMENT:
        return lifecycle.endorse(app.target_cred_id, actor=officer, now=now)
    if app.kind is ApplicationKind.CHANGE:
        return lifecycle.change(app.target_cred_id, address=app.address, district=app.district_code,
                                actor=officer, now=now)
    return lifecycle.convert(app.target_cred_id, actor=officer, now=now)


def _reason(reason: str) -> str:
    why = reason.strip()
    if not why or len(why) > _MAX_REASON:
        raise InvalidInputError(f"原因须为1至{_MAX_REASON}个字符", f"reason must be 1 to {_MAX_REASON} characters")
    return why


def _column_value(name: str, value: Any) -> Any:
    """Check one editable field and turn it into its column's value (None clears it)."""
    if value is None:
        return None
    if name == "district_code":
        return resolve_district(value).code
    if name == "residence_since":
        if isinstance(value, date):
            return value.isoformat()
        raise InvalidInputError("日期格式无效", "residence_since must be a date")
    if name == "proof_basis":
        try:
            return ProofBasis(value).value
        except ValueError:
            raise InvalidInputError("未知的证明方式", f"unknown proof basis: {value}") from None
    if not isinstance(value, str):
        raise InvalidInputError(f"字段 {name} 须为文字", f"field {name} must be text")
    text = value.strip()
    if len(text) > 200:
        raise InvalidInputError(f"字段 {name} 过长", f"field {name} is too long")
    return text or None
