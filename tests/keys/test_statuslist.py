import json
import zlib

import pytest

from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet, b64u
from keys.statuslist import ACTIVE, MIN_SIZE, REVOKED, SUSPENDED, StatusList, StatusListError

NOW = 1_795_400_000
KEY = SigningKey(bytes(32))
KEYSET = KeySet([KeyInfo(KEY.kid, KEY.public_key, NOW - 10, NOW + 10_000)])


def _signed(entries=((5, REVOKED), (6, SUSPENDED), (MIN_SIZE - 1, REVOKED))) -> dict:  # type: ignore[no-untyped-def]
    return StatusList.build(entries, size=MIN_SIZE, issued_at=NOW, ttl=60).sign(KEY)


def test_round_trip_reads_every_entry() -> None:
    doc = _signed()
    assert len(json.dumps(doc)) < 2000  # mostly zeros: compresses to almost nothing
    status = StatusList.verify(json.dumps(doc), KEYSET, NOW)
    assert [status.status(i) for i in (4, 5, 6, 7, MIN_SIZE - 1)] == [ACTIVE, REVOKED, SUSPENDED, ACTIVE, REVOKED]
    assert status.status(MIN_SIZE) == REVOKED  # never allocated: not trusted


def test_tampering_is_detected_before_decompression() -> None:
    doc = _signed()
    doc["list"] = b64u(zlib.compress(bytes(MIN_SIZE // 4)))
    with pytest.raises(StatusListError, match="signature"):
        StatusList.verify(doc, KEYSET, NOW)
    doc = _signed()
    doc["issued_at"] += 1
    with pytest.raises(StatusListError, match="signature"):
        StatusList.verify(doc, KEYSET, NOW)


def test_unknown_or_expired_key_is_refused() -> None:
    with pytest.raises(StatusListError):
        StatusList.verify(_signed(), KeySet([]), NOW)
    with pytest.raises(StatusListError):
        StatusList.verify(_signed(), KEYSET, NOW + 20_000)


def test_a_signed_zip_bomb_is_bounded() -> None:
    bomb = zlib.compress(bytes(50_000_000))
    doc = _signed()
    kid = KEY.kid.hex()
    signing_input = f"{doc['format']}\n{kid}\n{NOW}\n60\n{MIN_SIZE}\n2\n".encode() + bomb
    doc.update(list=b64u(bomb), signature=b64u(KEY.sign(signing_input)))
    with pytest.raises(StatusListError, match="length"):
        StatusList.verify(doc, KEYSET, NOW)


@pytest.mark.parametrize("doc", ["", "[]", "{}", '{"format":"permit-status/1","bits":2}', b"\xff"])
def test_garbage_is_a_status_list_error(doc) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StatusListError):
        StatusList.verify(doc, KEYSET, NOW)


def test_build_rejects_bad_entries_and_sizes() -> None:
    with pytest.raises(ValueError):
        StatusList.build([(MIN_SIZE, REVOKED)], size=MIN_SIZE, issued_at=0, ttl=1)
    with pytest.raises(ValueError):
        StatusList.build([], size=1000, issued_at=0, ttl=1)
