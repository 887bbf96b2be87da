from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from issuer.errors import (
    AlreadyExistsError,
    ErrorCode,
    InvalidInputError,
    InvalidStateError,
    LifecycleError,
    NotFoundError,
    OutsideEndorsementWindowError,
)
from issuer.lifecycle import Lifecycle, LifecyclePolicy, resolve_district
from issuer.model import Credential, Status
from keys.timekeeping import BEIJING
from keys.vocabulary import PermitType, StatusCode
from issuer.registry import Registry
from tests.issuer.clock import CLERK, NOW, TODAY
from tests.issuer.idgen import make_id


@pytest.fixture
def registry(registry_any: Registry) -> Registry:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return registry_any


def issue(lc: Lifecycle, *, seq: int = 1, years: int = 1,
          ptype: PermitType = PermitType.RESIDENCE_PERMIT,
          valid_from: date = TODAY) -> Credential:
    return lc.issue(ptype, "张三", make_id(seq=seq), "北京市朝阳区建国路88号", "朝阳区",
                    valid_from, years, actor=CLERK, now=NOW)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=BEIJING)


def test_issue(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle, years=2)
    assert cred.status is Status.ACTIVE
    assert cred.card_number is None
    assert cred.issued_on == TODAY and cred.valid_from == TODAY
    assert cred.valid_until == date(2028, 11, 23)
    assert cred.district_code == 3 and cred.version == 1


def test_issue_validates_input(lifecycle: Lifecycle) -> None:
    ok = dict(permit_type=1, name="张三", id_number=make_id(), address="地址",
              district="朝阳区", valid_from=TODAY, years=1)
    bad: list[dict[str, object]] = [
        {"permit_type": 3},
        {"name": "  "},
        {"id_number": make_id()[:-1] + ("0" if make_id()[-1] != "0" else "1")},
        {"address": ""},
        {"district": "浦东新区"},
        {"years": 0},
        {"years": 11},
        {"valid_from": date(2020, 1, 1)},
        {"valid_from": date(2030, 1, 1)},
    ]
    for override in bad:
        with pytest.raises(InvalidInputError):
            lifecycle.issue(**{**ok, **override}, actor=CLERK, now=NOW)  # type: ignore[arg-type]
    assert lifecycle.registry.count() == 0


def test_one_live_credential_per_holder(lifecycle: Lifecycle) -> None:
    first = issue(lifecycle)
    with pytest.raises(AlreadyExistsError):
        issue(lifecycle)
    lifecycle.revoke(first.cred_id, "replaced", actor=CLERK, now=NOW)
    assert issue(lifecycle).cred_id != first.cred_id


def test_errors_are_bilingual_with_stable_codes(lifecycle: Lifecycle) -> None:
    with pytest.raises(LifecycleError) as info:
        lifecycle.get("0123456789abcdef", today=TODAY)
    err = info.value
    assert isinstance(err, NotFoundError) and err.code is ErrorCode.NOT_FOUND
    assert "不存在" in err.message_zh and "not found" in err.message_en
    assert str(err).startswith("[NOT_FOUND] ")
    with pytest.raises(InvalidInputError):
        lifecycle.get("not-hex", today=TODAY)


def test_cred_id_case_is_ignored(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)
    assert lifecycle.get(cred.cred_id.upper(), today=TODAY) == cred


# ---- endorsement (签注) ------------------------------------------------------

def test_endorse_inside_window_extends_by_exactly_one_year(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)  # valid until 2027-11-23
    endorsed = lifecycle.endorse(cred.cred_id, actor=CLERK, now=at(date(2027, 9, 1)))
    assert endorsed.valid_until == date(2028, 11, 23)
    assert endorsed.version == cred.version and endorsed.status_index == cred.status_index


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (date(2027, 8, 24), False),  # 91 days before
        (date(2027, 8, 25), True),   # 90 days before: window opens
        (date(2027, 11, 23), True),  # last valid day
        (date(2027, 11, 24), False),  # expired
    ],
)
def test_endorsement_window_edges(lifecycle: Lifecycle, day: date, allowed: bool) -> None:
    cred = issue(lifecycle)
    if allowed:
        lifecycle.endorse(cred.cred_id, actor=CLERK, now=at(day))
    else:
        with pytest.raises(OutsideEndorsementWindowError) as info:
            lifecycle.endorse(cred.cred_id, actor=CLERK, now=at(day))
        assert info.value.code is ErrorCode.OUTSIDE_ENDORSEMENT_WINDOW
        assert "2027-08-25" in info.value.message_en


def test_endorsement_window_is_configurable(registry: Registry) -> None:
    lc = Lifecycle(registry, LifecyclePolicy(endorsement_window_days=30))
    cred = issue(lc)
    with pytest.raises(OutsideEndorsementWindowError):
        lc.endorse(cred.cred_id, actor=CLERK, now=at(date(2027, 10, 23)))
    lc.endorse(cred.cred_id, actor=CLERK, now=at(date(2027, 10, 24)))


def test_endorse_twice_in_one_window_is_refused(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)
    lifecycle.endorse(cred.cred_id, actor=CLERK, now=at(date(2027, 11, 1)))
    with pytest.raises(OutsideEndorsementWindowError):
        lifecycle.endorse(cred.cred_id, actor=CLERK, now=at(date(2027, 11, 2)))


def test_endorse_leap_day(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle, valid_from=date(2027, 2, 28), years=1)  # until 2028-02-28
    lifecycle.registry.set_valid_until(cred.cred_id, date(2028, 2, 29), actor=CLERK, now=NOW,
                                       operation="test")
    endorsed = lifecycle.endorse(cred.cred_id, actor=CLERK, now=at(date(2028, 2, 1)))
    assert endorsed.valid_until == date(2029, 2, 28)


def test_endorse_refused_when_revoked(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)
    lifecycle.revoke(cred.cred_id, "fraud", actor=CLERK, now=NOW)
    with pytest.raises(InvalidStateError):
        lifecycle.endorse(cred.cred_id, actor=CLERK, now=at(date(2027, 11, 1)))


# ---- change (变更) and conversion (卡换证) ------------------------------------

def test_change_allocates_new_index_and_supersedes_old(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)
    changed = lifecycle.change(cred.cred_id, address="北京市海淀区中关村大街1号",
                               district="海淀区", actor=CLERK, now=NOW)
    assert changed.version == 2
    assert changed.address == "北京市海淀区中关村大街1号" and changed.district_code == 6
    assert changed.status_index != cred.status_index
    assert dict(lifecycle.registry.status_entries()) == {cred.status_index: StatusCode.SUPERSEDED}
    again = lifecycle.change(cred.cred_id, district=1, actor=CLERK, now=NOW)
    assert again.version == 3
    assert dict(lifecycle.registry.status_entries()) == {
        cred.status_index: StatusCode.SUPERSEDED, changed.status_index: StatusCode.SUPERSEDED,
    }


def test_change_needs_a_difference(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)
    with pytest.raises(InvalidInputError):
        lifecycle.change(cred.cred_id, actor=CLERK, now=NOW)
    with pytest.raises(InvalidInputError):
        lifecycle.change(cred.cred_id, district="朝阳区", actor=CLERK, now=NOW)
    with pytest.raises(InvalidInputError):
        lifecycle.change(cred.cred_id, district="浦东新区", actor=CLERK, now=NOW)


def test_change_refused_unless_active(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)
    lifecycle.suspend(cred.cred_id, actor=CLERK, now=NOW)
    with pytest.raises(InvalidStateError):
        lifecycle.change(cred.cred_id, address="新地址", actor=CLERK, now=NOW)


def test_convert_registration_card(lifecycle: Lifecycle) -> None:
    card = issue(lifecycle, ptype=PermitType.REGISTRATION_CARD)
    permit = lifecycle.convert(card.cred_id, actor=CLERK, now=NOW)
    assert permit.permit_type is PermitType.RESIDENCE_PERMIT
    assert permit.version == 2 and permit.status_index != card.status_index
    assert permit.valid_until == card.valid_until
    assert dict(lifecycle.registry.status_entries()) == {card.status_index: StatusCode.SUPERSEDED}
    with pytest.raises(InvalidStateError):
        lifecycle.convert(card.cred_id, actor=CLERK, now=NOW)


# ---- suspend / reinstate / revoke -------------------------------------------

def test_suspend_and_reinstate(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)
    suspended = lifecycle.suspend(cred.cred_id, reason="under review", actor=CLERK, now=NOW)
    assert suspended.status is Status.SUSPENDED
    assert dict(lifecycle.registry.status_entries()) == {cred.status_index: 1}
    with pytest.raises(InvalidStateError):
        lifecycle.suspend(cred.cred_id, actor=CLERK, now=NOW)
    active = lifecycle.reinstate(cred.cred_id, actor=CLERK, now=NOW)
    assert active.status is Status.ACTIVE
    assert list(lifecycle.registry.status_entries()) == []
    with pytest.raises(InvalidStateError):
        lifecycle.reinstate(cred.cred_id, actor=CLERK, now=NOW)


def test_reinstate_refused_after_expiry(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)
    lifecycle.suspend(cred.cred_id, actor=CLERK, now=NOW)
    with pytest.raises(InvalidStateError) as info:
        lifecycle.reinstate(cred.cred_id, actor=CLERK, now=at(date(2027, 11, 24)))
    assert "expired" in info.value.message_en


def test_revoke_is_final(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)
    with pytest.raises(InvalidInputError):
        lifecycle.revoke(cred.cred_id, "  ", actor=CLERK, now=NOW)
    revoked = lifecycle.revoke(cred.cred_id, "left Beijing", actor=CLERK, now=NOW)
    assert revoked.status is Status.REVOKED and revoked.revoke_reason == "left Beijing"
    assert dict(lifecycle.registry.status_entries()) == {cred.status_index: StatusCode.REVOKED}
    for op in (lifecycle.suspend, lifecycle.reinstate, lifecycle.convert):
        with pytest.raises(InvalidStateError):
            op(cred.cred_id, actor=CLERK, now=NOW)
    with pytest.raises(InvalidStateError):
        lifecycle.revoke(cred.cred_id, "again", actor=CLERK, now=NOW)
    with pytest.raises(InvalidStateError):
        lifecycle.change(cred.cred_id, address="x", actor=CLERK, now=NOW)


def test_suspended_and_expired_credentials_can_be_revoked(lifecycle: Lifecycle) -> None:
    a = issue(lifecycle, seq=1)
    b = issue(lifecycle, seq=2)
    lifecycle.suspend(a.cred_id, actor=CLERK, now=NOW)
    lifecycle.revoke(a.cred_id, "x", actor=CLERK, now=NOW)
    lifecycle.revoke(b.cred_id, "x", actor=CLERK, now=at(date(2030, 1, 1)))


def test_history_is_in_the_audit_log(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle)
    lifecycle.show(cred.cred_id, actor="clerk:viewer", now=NOW)
    lifecycle.suspend(cred.cred_id, actor=CLERK, now=NOW + timedelta(minutes=1))
    lifecycle.reinstate(cred.cred_id, actor=CLERK, now=NOW + timedelta(minutes=2))
    lifecycle.change(cred.cred_id, address="新地址", actor=CLERK, now=NOW)
    lifecycle.endorse(cred.cred_id, actor=CLERK, now=at(date(2027, 11, 1)))
    lifecycle.revoke(cred.cred_id, "done", actor=CLERK, now=at(date(2027, 11, 2)))
    entries = lifecycle.registry.audit_entries(cred.cred_id)
    assert [e.operation for e in entries] == [
        "issue", "visit.open", "show", "suspend", "reinstate", "change", "visit.open", "endorse", "revoke",
    ]
    assert entries[2].actor == "clerk:viewer"
    assert entries[5].details["changed"] == ["address"]
    assert entries[6].details["cause"] == "change"
    assert entries[8].details["reason"] == "done"


def test_resolve_district_accepts_code_and_names() -> None:
    assert resolve_district(6).name_zh == "海淀区"
    assert resolve_district("6").name_zh == "海淀区"
    assert resolve_district("haidian").code == 6
    assert resolve_district(" 海淀区 ").code == 6
    with pytest.raises(InvalidInputError):
        resolve_district(17)


def test_every_named_act_is_performed_and_an_unknown_one_is_refused() -> None:
    from issuer.lifecycle import ACTS, LifecycleAct

    class Recorder:
        def __getattr__(self, name: str):
            return lambda *args, **kwargs: (name, args, kwargs)

    for name in ACTS:
        done = LifecycleAct(name, reason="r", address="a", district=1).perform(
            Recorder(), "c1", actor="officer", now=NOW)  # type: ignore[arg-type]
        assert done[0] == name and done[2]["actor"] == "officer"
    with pytest.raises(ValueError):
        LifecycleAct("erase").perform(Recorder(), "c1", actor="officer", now=NOW)  # type: ignore[arg-type]
