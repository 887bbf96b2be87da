"""Application states and who moves them: preview, submit, withdraw, accept, approve, reject."""

from __future__ import annotations

from datetime import date

import pytest

from issuer.applications.model import ApplicationKind, ApplicationState as S
from issuer.applications.store import ApplicationStore
from issuer.errors import (
    AlreadyExistsError,
    ApplicationIncompleteError,
    InvalidInputError,
    InvalidStateError,
    SeparationOfDutiesError,
)
from issuer.lifecycle import Lifecycle
from issuer.model import Status
from keys.vocabulary import PermitType
from issuer.sms import DevOutbox
from tests.apply.conftest import APPLICANT, CLERK, NOW, REVIEWER, at, submitted_permit
from tests.issuer.idgen import make_id


def test_a_draft_cannot_be_previewed_until_complete(store: ApplicationStore) -> None:
    app = store.create(kind="registration_card", holder_name="王芳", id_number=make_id(), phone=None,
                       account_id="a", actor=APPLICANT, now=NOW)
    assert app.state is S.DRAFT
    with pytest.raises(ApplicationIncompleteError) as info:
        store.preview(app.app_id, actor=APPLICANT, now=NOW)
    assert set(info.value.problems) == {"district_code", "address", "residence_since"}
    with pytest.raises(InvalidStateError):
        store.submit(app.app_id, actor=APPLICANT, now=NOW)
    store.update(app.app_id, actor=APPLICANT, now=NOW, district_code="海淀区", address="北京市海淀区学院路30号",
                 residence_since=date(2026, 1, 1))
    assert store.preview(app.app_id, actor=APPLICANT, now=NOW).state is S.PREVIEW
    # Editing in preview goes back to draft.
    assert store.update(app.app_id, actor=APPLICANT, now=NOW, address="北京市海淀区学院路31号").state is S.DRAFT


def test_bad_fields_and_kinds_are_refused(store: ApplicationStore) -> None:
    with pytest.raises(InvalidInputError):
        store.create(kind="passport", holder_name="王芳", id_number=make_id(), phone=None, account_id="a",
                     actor=APPLICANT, now=NOW)
    app = store.create(kind="residence_permit", holder_name="王芳", id_number=make_id(), phone=None,
                       account_id="a", actor=APPLICANT, now=NOW)
    for fields in ({"district_code": "浦东新区"}, {"proof_basis": "lottery"}, {"state": "approved"},
                   {"residence_since": "2026-01-01"}, {"address": 12}):
        with pytest.raises(InvalidInputError):
            store.update(app.app_id, actor=APPLICANT, now=NOW, **fields)


def test_full_path_to_an_issued_permit(store: ApplicationStore, lifecycle: Lifecycle, outbox: DevOutbox) -> None:
    app_id = submitted_permit(store)
    accepted = store.accept(app_id, officer=CLERK, station_id="06-P", checked=["id_card", "tax"], now=NOW)
    assert accepted.state is S.ACCEPTED and accepted.deadline == date(2026, 12, 3) and accepted.deadline_known
    assert store.review_queue(district_code=6) == [accepted]
    with pytest.raises(SeparationOfDutiesError):
        store.approve(app_id, officer=CLERK, lifecycle=lifecycle, now=at(date(2026, 11, 25)))
    approved, cred = store.approve(app_id, officer=REVIEWER, lifecycle=lifecycle, now=at(date(2026, 11, 25)))
    assert approved.state is S.APPROVED and approved.issued_cred_id == cred.cred_id
    assert cred.permit_type is PermitType.RESIDENCE_PERMIT and cred.status is Status.ACTIVE
    assert cred.address == "北京市海淀区学院路30号1单元" and cred.district_code == 6
    # Same registry, same audit log: the credential was issued by the named reviewer.
    assert {e.actor for e in store.registry.audit_entries(cred.cred_id)} == {REVIEWER}  # issue and its home visit
    assert [e.state for e in store.timeline(app_id)] == [S.DRAFT, S.PREVIEW, S.SUBMITTED, S.ACCEPTED, S.APPROVED]
    assert store.review_queue() == []
    texts = [m.text for m in outbox.messages("13800000000")]
    assert len(texts) == 3 and "审核通过" in texts[-1]
    notes = store.sql.all("SELECT text_en FROM notifications WHERE account_id = 'acct-1' ORDER BY at")
    assert [n[0].split(":")[0].split(";")[0] for n in notes] == [
        "Application submitted", "Application accepted", "Application approved"]


def test_rejection_and_refusal_keep_their_reason(store: ApplicationStore) -> None:
    first = submitted_permit(store, seq=1)
    refused = store.refuse(first, officer=CLERK, reason="身份证件与申请信息不符", now=NOW)
    assert refused.state is S.REFUSED and refused.reason == "身份证件与申请信息不符"
    second = submitted_permit(store, seq=2)
    store.accept(second, officer=CLERK, station_id="06-P", checked=["id_card"], now=NOW)
    with pytest.raises(InvalidInputError):
        store.reject(second, officer=REVIEWER, reason="   ", now=NOW)
    rejected = store.reject(second, officer=REVIEWER, reason="纳税证明不是本人", now=NOW)
    assert rejected.state is S.REJECTED and rejected.reason == "纳税证明不是本人"
    assert store.timeline(second)[-1].note == "纳税证明不是本人"
    with pytest.raises(InvalidStateError):
        store.withdraw(second, actor=APPLICANT, now=NOW)


def test_withdraw_before_acceptance_only(store: ApplicationStore) -> None:
    app_id = submitted_permit(store)
    assert store.withdraw(app_id, actor=APPLICANT, now=NOW).state is S.WITHDRAWN
    with pytest.raises(InvalidStateError):
        store.accept(app_id, officer=CLERK, station_id=None, checked=[], now=NOW)


def test_one_application_in_progress_per_person(store: ApplicationStore) -> None:
    submitted_permit(store, seq=1)
    with pytest.raises(AlreadyExistsError):
        submitted_permit(store, seq=1, account="acct-1")


def test_deadline_in_an_unknown_year_is_flagged_and_leads_the_queue(store: ApplicationStore) -> None:
    early = submitted_permit(store, seq=1)
    late = submitted_permit(store, seq=2)
    store.accept(early, officer=CLERK, station_id="06-P", checked=[], now=NOW)
    flagged = store.accept(late, officer=CLERK, station_id="06-P", checked=[], now=at(date(2026, 12, 24)))
    assert flagged.deadline is None and not flagged.deadline_known
    assert [a.app_id for a in store.review_queue()] == [late, early]


def test_endorsement_application_extends_the_permit(store: ApplicationStore, lifecycle: Lifecycle) -> None:
    cred = lifecycle.issue(PermitType.RESIDENCE_PERMIT, "王芳", make_id(), "北京市海淀区学院路30号", 6,
                           date(2025, 12, 20), 1, actor="clerk:x", now=at(date(2025, 12, 20)))
    app = store.create(kind=ApplicationKind.ENDORSEMENT, holder_name="王芳", id_number=make_id(), phone=None,
                       account_id="a", actor=APPLICANT, now=NOW)
    store.update(app.app_id, actor=APPLICANT, now=NOW, target_cred_id=cred.cred_id)
    store.preview(app.app_id, actor=APPLICANT, now=NOW)
    store.submit(app.app_id, actor=APPLICANT, now=NOW)
    store.accept(app.app_id, officer=CLERK, station_id="06-P", checked=["id_card"], now=NOW)
    _, endorsed = store.approve(app.app_id, officer=REVIEWER, lifecycle=lifecycle, now=NOW)
    assert endorsed.cred_id == cred.cred_id and endorsed.valid_until == date(2027, 12, 20)


def test_a_failed_approval_changes_nothing(store: ApplicationStore, lifecycle: Lifecycle) -> None:
    app_id = submitted_permit(store, seq=1)
    store.accept(app_id, officer=CLERK, station_id="06-P", checked=[], now=NOW)
    # Meanwhile the person received a permit at another counter: issuing again is refused ...
    lifecycle.issue(PermitType.RESIDENCE_PERMIT, "王芳", make_id(seq=1), "北京市海淀区学院路30号", 6,
                    date(2026, 11, 23), 1, actor="clerk:x", now=NOW)
    with pytest.raises(AlreadyExistsError):
        store.approve(app_id, officer=REVIEWER, lifecycle=lifecycle, now=NOW)
    # ... and the application is still waiting, with no half-written decision.
    app = store.get(app_id)
    assert app.state is S.ACCEPTED and app.decided_by is None and app.issued_cred_id is None


def test_change_and_conversion_applications_act_on_the_held_card(store: ApplicationStore, lifecycle: Lifecycle) -> None:
    card = lifecycle.issue(PermitType.REGISTRATION_CARD, "王芳", make_id(), "北京市海淀区学院路30号", 6,
                           date(2026, 1, 10), 2, actor="clerk:x", now=at(date(2026, 1, 10)))
    change = store.create(kind="change", holder_name="王芳", id_number=make_id(), phone=None, account_id="a",
                          actor=APPLICANT, now=NOW)
    store.update(change.app_id, actor=APPLICANT, now=NOW, target_cred_id=card.cred_id, district_code=3,
                 address="北京市朝阳区望京街9号2号楼")
    store.preview(change.app_id, actor=APPLICANT, now=NOW)
    store.submit(change.app_id, actor=APPLICANT, now=NOW)
    store.accept(change.app_id, officer=CLERK, station_id="06-P", checked=["id_card", "lease"], now=NOW)
    _, changed = store.approve(change.app_id, officer=REVIEWER, lifecycle=lifecycle, now=NOW)
    assert (changed.cred_id, changed.district_code, changed.version) == (card.cred_id, 3, 2)

    later = at(date(2026, 11, 25))
    conversion = store.create(kind="conversion", holder_name="王芳", id_number=make_id(), phone=None,
                              account_id="a", actor=APPLICANT, now=later)
    store.update(conversion.app_id, actor=APPLICANT, now=later, target_cred_id=card.cred_id,
                 proof_basis="registration")
    store.preview(conversion.app_id, actor=APPLICANT, now=later)
    store.submit(conversion.app_id, actor=APPLICANT, now=later)
    store.accept(conversion.app_id, officer=CLERK, station_id="06-P", checked=["id_card"], now=later)
    _, converted = store.approve(conversion.app_id, officer=REVIEWER, lifecycle=lifecycle, now=later)
    assert converted.cred_id == card.cred_id and converted.permit_type is PermitType.RESIDENCE_PERMIT
