"""The issuer's check records: each pushed field checked, the permit's every index found, on both backends."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from issuer.check_records import RETENTION, RecordRefused, holder_checks, parse_record, purge, ref_hash, store
from issuer.lifecycle import Lifecycle
from issuer.registry import Registry
from keys.device_key import key_field
from keys.sealed_ref import new_private_key, public_key_of, seal_ref
from keys.timekeeping import BEIJING
from tests.issuer.idgen import make_id

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING)
KEY = new_private_key()


@pytest.fixture
def registry(registry_any: Registry) -> Registry:
    return registry_any


def raw(index: int, n: int = 1, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"{n:032x}", "checked_at": (NOW - timedelta(minutes=n)).isoformat(),
        "organisation": {"id": "lianjia-hd", "zh": "链家地产海淀店", "en": "Lianjia Haidian"},
        "role": "business", "mode": "MINTED", "reason": "VALID",
        "fields": ["district", "permit_type", "valid_until"], "offline": False,
        "holder": seal_ref(public_key_of(KEY), hashlib.sha256(index.to_bytes(3, "big")).digest()),
    }
    record.update(changes)
    return record


@pytest.mark.parametrize("changes, complaint", [
    ({"id": "ABC"}, "id"),
    ({"role": "landlord"}, "role"),
    ({"mode": "TELEPATHY"}, "mode"),
    ({"reason": "FINE"}, "reason"),
    ({"fields": ["name; drop table"]}, "fields"),
    ({"fields": "name"}, "fields"),
    ({"offline": "no"}, "offline"),
    ({"organisation": {"id": "x", "zh": "", "en": "X"}}, "organisation.zh"),
    ({"organisation": {"id": "x", "zh": "甲\u0000", "en": "X"}}, "control"),
    ({"organisation": "x"}, "organisation"),
    ({"checked_at": "yesterday"}, "checked_at"),
    ({"checked_at": "2026-11-23T10:00:00"}, "time zone"),
    ({"checked_at": (NOW + timedelta(hours=2)).isoformat()}, "future"),
    ({"holder": "s1.nope"}, "holder"),
    ({"holder": seal_ref(public_key_of(new_private_key()), bytes(32))}, "holder"),
])
def test_each_field_is_checked(changes: dict[str, Any], complaint: str) -> None:
    with pytest.raises(RecordRefused, match=complaint):
        parse_record(raw(5, **changes), KEY, NOW)


def test_the_permits_versions_and_phones_find_their_checks(registry: Registry) -> None:
    lc = Lifecycle(registry)
    cred = lc.issue(1, "张三", make_id(seq=3), "北京市朝阳区建国路88号", "朝阳区", date(2026, 11, 1), 1,
                    actor="clerk", now=NOW)
    changed = lc.change(cred.cred_id, address="北京市海淀区学院路30号", district="海淀区", actor="clerk", now=NOW)
    token = registry.devices.enrol_device(registry.devices.create_enrolment(cred.cred_id, NOW), "手机", NOW)
    device = registry.devices.device_for_token(token)
    assert device is not None
    public = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    phone_key = registry.device_keys.register(device.device_id, key_field("Ed25519", public), NOW)
    other = lc.issue(1, "李四", make_id(seq=4), "北京市朝阳区建国路89号", "朝阳区", date(2026, 11, 1), 1,
                     actor="clerk", now=NOW)
    records = [parse_record(raw(cred.status_index, 1), KEY, NOW),
               parse_record(raw(changed.status_index, 2, mode="PASS", offline=True), KEY, NOW),
               parse_record(raw(other.status_index, 3), KEY, NOW),
               parse_record(raw(phone_key.status_index, 4, mode="DEVICE", offline=True), KEY, NOW)]
    with registry.transaction() as db:
        assert store(db, records, "verifier-1", NOW) == (4, 0)
        assert store(db, records[:1], "verifier-1", NOW) == (0, 0)  # the same id again: kept once
    mine = holder_checks(registry.connection, cred.cred_id, NOW)
    assert [r.record_id for r in mine] == [f"{n:032x}" for n in (1, 2, 4)]  # newest first: versions, the phone
    assert mine[1].offline and mine[1].to_json()["mode_label"]["en"].startswith("offline pass")
    assert [r.record_id for r in holder_checks(registry.connection, other.cred_id, NOW)] == [f"{3:032x}"]
    assert ref_hash(cred.status_index) == mine[0].cred_hash


def test_old_records_are_refused_hidden_and_purged(registry: Registry) -> None:
    lc = Lifecycle(registry)
    cred = lc.issue(1, "张三", make_id(seq=5), "北京市朝阳区建国路88号", "朝阳区", date(2026, 11, 1), 1,
                    actor="clerk", now=NOW)
    fresh = parse_record(raw(cred.status_index, 1), KEY, NOW)
    with registry.transaction() as db:
        assert store(db, [fresh], "v", NOW) == (1, 0)
    later = NOW + RETENTION + timedelta(minutes=5)
    assert holder_checks(registry.connection, cred.cred_id, later) == []
    stale = parse_record(raw(cred.status_index, 2), KEY, NOW)
    with registry.transaction() as db:
        assert store(db, [stale], "v", later) == (0, 1)
        assert purge(db, later) == 1
    assert registry.connection.execute("SELECT count(*) FROM check_records").fetchone()[0] == 0
