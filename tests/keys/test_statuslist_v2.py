"""permit-status/2: the wider list wire v2's four-byte indices need; permit-status/1 still read."""

from __future__ import annotations

import pytest

from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.statuslist import (
    FORMAT,
    FORMAT_V1,
    FORMAT_V2,
    MAX_SIZES,
    MIN_SIZE,
    REVOKED,
    SUPERSEDED,
    SUSPENDED,
    StatusList,
    StatusListError,
)

NOW = 1_795_400_000
KEY = SigningKey(bytes(32))
KEYSET = KeySet([KeyInfo(KEY.kid, KEY.public_key, NOW - 10, NOW + 10_000)])
WIDE = 1 << 25  # beyond v1's 2^24: Beijing's size


def test_the_issuer_publishes_v2_and_its_bounds() -> None:
    assert FORMAT == FORMAT_V2 == "permit-status/2"
    assert MAX_SIZES == {FORMAT_V1: 1 << 24, FORMAT_V2: 1 << 28}


def test_a_list_beyond_two_to_the_24_round_trips_in_v2() -> None:
    high = (1 << 24) + 12_345
    doc = StatusList.build([(high, SUPERSEDED), (WIDE - 1, SUSPENDED)], size=WIDE, issued_at=NOW, ttl=60).sign(KEY)
    assert doc["format"] == FORMAT_V2 and doc["size"] == WIDE
    status = StatusList.verify(doc, KEYSET, NOW)
    assert [status.status(i) for i in (0, high, WIDE - 1, WIDE)] == [0, SUPERSEDED, SUSPENDED, REVOKED]


def test_a_v1_document_is_still_read() -> None:
    doc = StatusList.build([(5, REVOKED)], size=MIN_SIZE, issued_at=NOW, ttl=60).sign(KEY, FORMAT_V1)
    assert doc["format"] == FORMAT_V1
    assert StatusList.verify(doc, KEYSET, NOW).status(5) == REVOKED


def test_v1_cannot_hold_the_wider_list() -> None:
    wide = StatusList.build([], size=WIDE, issued_at=NOW, ttl=60)
    with pytest.raises(ValueError):
        wide.sign(KEY, FORMAT_V1)
    doc = wide.sign(KEY)
    doc["format"] = FORMAT_V1  # relabelled: over v1's size, refused before its signature
    with pytest.raises(StatusListError, match="size"):
        StatusList.verify(doc, KEYSET, NOW)


@pytest.mark.parametrize("fmt, other", [(FORMAT_V1, FORMAT_V2), (FORMAT_V2, FORMAT_V1)])
def test_the_format_is_signed(fmt: str, other: str) -> None:
    doc = StatusList.build([(5, REVOKED)], size=MIN_SIZE, issued_at=NOW, ttl=60).sign(KEY, fmt)
    doc["format"] = other
    with pytest.raises(StatusListError, match="signature"):
        StatusList.verify(doc, KEYSET, NOW)


@pytest.mark.parametrize("size", [(1 << 28) + 4, MIN_SIZE - 4, MIN_SIZE + 2])
def test_sizes_outside_v2_are_refused(size: int) -> None:
    with pytest.raises(ValueError):
        StatusList.build([], size=size, issued_at=NOW, ttl=60)
