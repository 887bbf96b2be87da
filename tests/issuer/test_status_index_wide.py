"""Beyond v1's three bytes: the allocator grows the index space past 2^24 and the issuer publishes
the wider list as permit-status/2 (wire v2 carries four-byte indices)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from issuer.db import SqliteDatabase
from issuer.registry import Registry
from issuer.schema import migrate, open_sqlite
from issuer.status_index import MAX_INDEX_SPACE, IndexAllocator, IndexSpaceExhausted
from issuer.statuslist_publisher import StatusPublisher
from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.statuslist import StatusList
from tests.issuer.clock import CLERK, NOW
from tests.issuer.test_registry import new


def _conn(used: int) -> SqliteDatabase:
    conn = SqliteDatabase(open_sqlite(":memory:"))
    migrate(conn)
    conn.execute("INSERT INTO meta (key, value) VALUES ('status_index_count', ?)", (str(used),))
    return conn


def test_the_space_grows_past_two_to_the_24_at_beijings_size() -> None:
    conn = _conn(9_000_000)  # more than v1's 2^24 could hold at half full
    fresh = IndexAllocator(random.Random(5)).allocate(conn, 50)
    assert IndexAllocator(random.Random(5)).space(conn) == 1 << 25
    assert any(index >= 1 << 24 for index in fresh)  # drawn from the whole space: only v2 can carry them
    assert all(0 <= index < 1 << 25 for index in fresh)


def test_the_space_ends_at_two_to_the_28() -> None:
    assert MAX_INDEX_SPACE == 1 << 28
    allocator = IndexAllocator(random.Random(5))
    assert len(allocator.allocate(_conn((1 << 27) - 1), 1)) == 1
    with pytest.raises(IndexSpaceExhausted):
        allocator.allocate(_conn(1 << 27), 1)


def test_the_issuer_publishes_the_wide_list_as_permit_status_2(tmp_path: Path) -> None:
    key = SigningKey(bytes(32))
    with Registry(tmp_path / "issuer.db", rng=random.Random(3)) as registry:
        with registry.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('status_index_space', ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(1 << 25),))
        registry.insert_credential(new(), actor=CLERK, now=NOW)
        published = StatusPublisher(key, ttl_s=60).current(registry, NOW.timestamp())
    doc = json.loads(published.body)
    assert doc["format"] == "permit-status/2" and doc["size"] == 1 << 25
    keyset = KeySet([KeyInfo(key.kid, key.public_key, int(NOW.timestamp()) - 10, int(NOW.timestamp()) + 10)])
    assert StatusList.verify(doc, keyset, NOW.timestamp()).size == 1 << 25
