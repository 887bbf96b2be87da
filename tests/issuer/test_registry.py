from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from issuer.errors import NotFoundError
from issuer.minting import claims_for
from issuer.model import Credential, NewCredential, Status
from keys.vocabulary import PermitType, StatusCode
from issuer.registry import Registry, mask_id_number
from issuer.schema import SCHEMA_VERSION, SchemaError
from issuer.status_index import MIN_INDEX_SPACE, IndexAllocator
from tests.issuer.clock import CLERK, NOW, TODAY
from tests.issuer.idgen import make_id


@pytest.fixture
def registry(registry_any: Registry) -> Registry:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return registry_any


def new(**overrides: object) -> NewCredential:
    values: dict[str, object] = dict(
        permit_type=PermitType.RESIDENCE_PERMIT,
        holder_name="王小明",
        id_number=make_id(),
        address="北京市朝阳区建国路1号",
        district_code=3,
        issued_on=TODAY,
        valid_from=TODAY,
        valid_until=date(2027, 11, 23),
    )
    values.update(overrides)
    return NewCredential(**values)  # type: ignore[arg-type]


def test_insert_and_read_back(registry: Registry) -> None:
    cred = registry.insert_credential(new(), actor=CLERK, now=NOW)
    assert len(cred.cred_id) == 16 and int(cred.cred_id, 16) >= 0
    assert cred.version == 1
    assert cred.status is Status.ACTIVE
    assert 0 <= cred.status_index < registry.index_space()
    assert registry.get(cred.cred_id, today=TODAY) == cred
    assert registry.get("0" * 16, today=TODAY) is None


def test_cred_id_is_random_not_derived_from_holder(registry: Registry) -> None:
    a = registry.insert_credential(new(), actor=CLERK, now=NOW)
    b = registry.insert_credential(new(), actor=CLERK, now=NOW)
    assert a.cred_id != b.cred_id
    assert a.status_index != b.status_index


def test_claims_carry_exactly_what_a_qr_code_needs(registry: Registry) -> None:
    idn = make_id(seq=456)
    cred = registry.insert_credential(new(id_number=idn), actor=CLERK, now=NOW)
    claims = claims_for(cred)
    assert len(bytes.fromhex(cred.cred_id)) == 8 and cred.version == 1
    assert claims.ref == cred.status_index
    assert claims.permit_type == PermitType.RESIDENCE_PERMIT
    assert claims.district == 3
    assert claims.valid_until == date(2027, 11, 23)
    assert claims.id_tail == idn[-4:]
    assert claims.name == "王小明"
    assert cred.district.name_zh == "朝阳区"


def test_repr_never_shows_the_full_id_number(registry: Registry) -> None:
    idn = make_id()
    cred = registry.insert_credential(new(id_number=idn), actor=CLERK, now=NOW)
    assert idn not in repr(cred)
    assert cred.masked_id_number == mask_id_number(idn)
    assert idn not in repr(new(id_number=idn))


def test_expired_is_computed_on_read(registry: Registry) -> None:
    cred = registry.insert_credential(new(valid_until=TODAY), actor=CLERK, now=NOW)
    assert cred.status is Status.ACTIVE  # the last day is still valid
    later = registry.get(cred.cred_id, today=TODAY + timedelta(days=1))
    assert later is not None and later.status is Status.EXPIRED


def test_revoked_wins_over_expired(registry: Registry) -> None:
    cred = registry.insert_credential(new(valid_until=TODAY), actor=CLERK, now=NOW)
    registry.set_status(cred.cred_id, Status.REVOKED, actor=CLERK, now=NOW,
                        operation="revoke", reason="test")
    later = registry.get(cred.cred_id, today=TODAY + timedelta(days=400))
    assert later is not None and later.status is Status.REVOKED
    assert later.revoke_reason == "test"


def test_new_version_supersedes_old_index(registry: Registry) -> None:
    cred = registry.insert_credential(new(), actor=CLERK, now=NOW)
    assert list(registry.status_entries()) == []
    changed = registry.new_version(cred.cred_id, actor=CLERK, now=NOW, operation="change",
                                   district_code=6)
    assert changed.version == 2
    assert changed.district_code == 6
    assert changed.status_index != cred.status_index
    assert list(registry.status_entries()) == [(cred.status_index, StatusCode.SUPERSEDED)]


def test_status_entries_report_every_non_active_index(registry: Registry) -> None:
    active = registry.insert_credential(new(), actor=CLERK, now=NOW)
    suspended = registry.insert_credential(new(), actor=CLERK, now=NOW)
    revoked = registry.insert_credential(new(), actor=CLERK, now=NOW)
    registry.set_status(suspended.cred_id, Status.SUSPENDED, actor=CLERK, now=NOW,
                        operation="suspend")
    old_index = revoked.status_index
    revoked = registry.new_version(revoked.cred_id, actor=CLERK, now=NOW, operation="change",
                                   address="新地址")
    registry.set_status(revoked.cred_id, Status.REVOKED, actor=CLERK, now=NOW,
                        operation="revoke", reason="x")
    entries = dict(registry.status_entries())
    assert entries == {
        suspended.status_index: 1,
        old_index: 2,
        revoked.status_index: 2,
    }
    assert active.status_index not in entries
    assert list(registry.status_entries()) == sorted(entries.items())


def test_writes_to_missing_credential_raise_not_found(registry: Registry) -> None:
    with pytest.raises(NotFoundError):
        registry.set_status("0" * 16, Status.SUSPENDED, actor=CLERK, now=NOW, operation="x")
    with pytest.raises(NotFoundError):
        registry.new_version("0" * 16, actor=CLERK, now=NOW, operation="x")
    with pytest.raises(NotFoundError):
        registry.set_valid_until("0" * 16, TODAY, actor=CLERK, now=NOW, operation="x")


def test_every_write_is_audited_without_id_numbers(registry: Registry) -> None:
    idn = make_id(seq=777)
    cred = registry.insert_credential(new(id_number=idn), actor=CLERK, now=NOW)
    registry.set_valid_until(cred.cred_id, date(2028, 1, 1), actor="clerk:b", now=NOW,
                             operation="endorse")
    entries = registry.audit_entries(cred.cred_id)
    assert [e.operation for e in entries] == ["issue", "endorse"]
    assert entries[1].actor == "clerk:b"
    assert entries[1].details["valid_until"] == "2028-01-01"
    assert entries[1].at == NOW
    dump = "\n".join(r[0] for r in registry.connection.execute("SELECT details FROM audit_log"))
    assert idn not in dump


def test_failed_transaction_rolls_back_everything(registry: Registry) -> None:
    with pytest.raises(RuntimeError):
        with registry.transaction():
            registry.insert_credential(new(), actor=CLERK, now=NOW)
            raise RuntimeError("boom")
    assert registry.count() == 0
    assert registry.audit_entries() == []
    # The allocator's cache is resynchronised after the rollback.
    cred = registry.insert_credential(new(), actor=CLERK, now=NOW)
    assert registry.count() == 1 and cred.version == 1


def test_naive_datetimes_are_refused(registry: Registry) -> None:
    with pytest.raises(ValueError):
        registry.insert_credential(new(), actor=CLERK, now=NOW.replace(tzinfo=None))


def test_schema_version_recorded_and_reopen_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "registry.sqlite3"
    with Registry(path) as reg:
        cred = reg.insert_credential(new(), actor=CLERK, now=NOW)
    with Registry(path) as reg:
        assert reg.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert reg.get(cred.cred_id, today=TODAY) == cred


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaError):
        Registry(path)


def test_two_handles_on_one_file_never_share_an_index(tmp_path: Path) -> None:
    # Same seed on purpose: the second handle draws the same numbers first and must
    # notice the rows the first handle wrote (ids and indices alike).
    path = tmp_path / "registry.sqlite3"
    a = Registry(path, rng=random.Random(1))
    b = Registry(path, rng=random.Random(1))
    try:
        ca = [a.insert_credential(new(), actor=CLERK, now=NOW) for _ in range(3)]
        cb = [b.insert_credential(new(), actor=CLERK, now=NOW) for _ in range(3)]
        assert len({c.status_index for c in ca + cb}) == 6
        assert len({c.cred_id for c in ca + cb}) == 6
    finally:
        a.close()
        b.close()


def test_index_space_grows_before_it_is_half_full() -> None:
    from issuer.db import SqliteDatabase
    from issuer.schema import migrate, open_sqlite

    conn = SqliteDatabase(open_sqlite(":memory:"))
    migrate(conn)
    conn.execute("PRAGMA foreign_keys = OFF")  # index rows without credentials, for speed
    alloc = IndexAllocator(random.Random(3))
    first = alloc.allocate(conn, MIN_INDEX_SPACE // 2)
    assert alloc.space(conn) == MIN_INDEX_SPACE
    assert len(set(first)) == len(first)
    conn.executemany("INSERT INTO status_indices VALUES (?, ?, 1, 0, 't')",
                     [(i, str(i)) for i in first])
    more = alloc.allocate(conn, 1)
    assert alloc.space(conn) == 2 * MIN_INDEX_SPACE
    assert more[0] not in set(first)


def test_credential_is_frozen(registry: Registry) -> None:
    cred: Credential = registry.insert_credential(new(), actor=CLERK, now=NOW)
    with pytest.raises(AttributeError):
        cred.status = Status.REVOKED  # type: ignore[misc]



def test_list_credentials_pages_newest_first_and_filters_by_name(registry: Registry) -> None:
    first = registry.insert_credential(new(holder_name="甲"), actor=CLERK, now=NOW)
    second = registry.insert_credential(new(holder_name="乙"), actor=CLERK, now=NOW + timedelta(seconds=1))
    assert [c.cred_id for c in registry.list_credentials(today=TODAY)] == [second.cred_id, first.cred_id]
    assert [c.cred_id for c in registry.list_credentials(today=TODAY, limit=1, offset=1)] == [first.cred_id]
    assert registry.list_credentials(today=TODAY, name="甲") == [first]
    assert registry.list_credentials(today=TODAY, name="丙") == []


def test_change_marker_grows_with_every_write(registry: Registry) -> None:
    before = registry.change_marker()
    cred = registry.insert_credential(new(), actor=CLERK, now=NOW)
    after_insert = registry.change_marker()
    registry.set_status(cred.cred_id, Status.SUSPENDED, actor=CLERK, now=NOW, operation="suspend")
    assert before < after_insert < registry.change_marker()
