import json
from datetime import date
from pathlib import Path

import pytest
import segno

from keys.base45 import b45decode
from keys.keypair import SigningKey
from keys.wire import (
    CLAIMS_OFFSET,
    MINTED_ONCE,
    NAME_MAX_BYTES,
    read_trailer,
    PREFIX,
    Claims,
    Mode,
    pack_id_tail,
    decode_claims,
    encode_minted,
    encode_paper,
    encode_pass,
    fit_name,
    pass_text,
    unverified_split,
)
from tests.vectors import build

VECTORS = json.loads((Path(build.__file__).parent / "format-v1.json").read_text(encoding="utf-8"))
KEY = SigningKey(bytes(32))
LONGEST = Claims(2**24 - 1, 2, 16, date(2149, 6, 1), "999X", "阿卜杜热合曼·买买提明·艾力")


def test_committed_vectors_match_the_encoder() -> None:
    assert build.build() == VECTORS


def _qr_version(text: str) -> int:
    qr = segno.make(text, error="m", boost_error=False)
    assert qr.error == "M" and qr.mode == "alphanumeric"
    return qr.version


@pytest.mark.parametrize("version", [1, 2])
def test_minted_fits_qr_version_6_at_level_m_with_the_longest_name(version: int) -> None:
    text = encode_minted(KEY, LONGEST, step=2**32 - 1, period=255, nonce=b"\xff" * 3, version=version)
    assert len(text) <= 154
    assert _qr_version(text) <= 6


@pytest.mark.parametrize("version", [1, 2])
def test_paper_and_pass_fit_qr_version_7_at_level_m(version: int) -> None:
    assert _qr_version(encode_paper(KEY, LONGEST, issued_at=2**32 - 1, not_after=2**32 - 1, version=version)) <= 7
    signed = encode_pass(KEY, LONGEST, pass_id=b"\xff" * 8, period=255, not_before=2**32 - 1, hours=72,
                         version=version)
    assert _qr_version(pass_text(signed, 2**32 - 1, 999_999)) <= 7


def test_text_is_uppercase_alphanumeric() -> None:
    for vector in VECTORS["vectors"]:
        text = vector["text"]
        assert text.startswith(PREFIX)
        assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def test_name_is_cut_on_a_character_boundary() -> None:
    assert fit_name("张伟", 14) == "张伟"
    assert fit_name("一二三四五六七八九", 14) == "一二三四"
    assert fit_name("欧阳·娜娜娜", 14) == "欧阳·娜娜"
    assert NAME_MAX_BYTES[Mode.MINTED] == 14


def test_split_and_claims_round_trip() -> None:
    claims = LONGEST._replace(name=fit_name(LONGEST.name, 14))
    text = encode_minted(KEY, claims, step=7, period=15, nonce=b"abc", version=1)
    u = unverified_split(text)
    assert u.kid == KEY.kid and len(u.signature) == 64
    assert CLAIMS_OFFSET[Mode.MINTED] == 14
    assert decode_claims(u.signed, CLAIMS_OFFSET[Mode.MINTED]) == claims


def test_a_minted_code_is_named_once_by_step_nonce_and_ref() -> None:
    u = unverified_split(encode_minted(KEY, LONGEST._replace(ref=0x0A0B0C), step=0x01020304, period=15, nonce=b"xyz",
                                        version=1))
    assert u.signed[MINTED_ONCE] == bytes([1, 2, 3, 4]) + b"xyz" + bytes([0x0A, 0x0B, 0x0C])


@pytest.mark.parametrize("now_step, step", [(100_000, 100_000), (100_000, 99_999), (100_000, 100_001), (0x1FFFF, 0x20001)])
def test_the_trailer_step_is_the_nearest_with_its_low_bits(now_step: int, step: int) -> None:
    signed = encode_pass(KEY, LONGEST, pass_id=b"P" * 8, period=30, not_before=0, hours=1)
    raw = b45decode(pass_text(signed, step, 654321)[len(PREFIX):])
    assert read_trailer(raw[-5:], now_step) == (step, 654321)


@pytest.mark.parametrize("tail", ["0000", "123X", "9999", "999X", "0010"])
def test_id_tail_packing(tail: str) -> None:
    claims = LONGEST._replace(id_tail=tail)
    u = unverified_split(encode_paper(KEY, claims, issued_at=0, not_after=1, version=1))
    assert decode_claims(u.signed, CLAIMS_OFFSET[Mode.PAPER]).id_tail == tail


@pytest.mark.parametrize("tail", ["123", "12345", "abcd", "12X4", "123x"])
def test_id_tail_rejects_bad_input(tail: str) -> None:
    with pytest.raises(ValueError):
        pack_id_tail(tail)


def test_encoders_refuse_out_of_range_fields() -> None:
    with pytest.raises(ValueError):
        encode_minted(KEY, LONGEST, step=1, period=0, nonce=b"abc")
    with pytest.raises(ValueError):
        encode_pass(KEY, LONGEST, pass_id=b"x" * 8, period=30, not_before=0, hours=73)
    with pytest.raises(ValueError):
        pass_text(b"", 1, 1_000_000)


def test_vector_bytes_are_the_base45_of_the_text() -> None:
    for vector in VECTORS["vectors"]:
        assert b45decode(vector["text"][len(PREFIX) :]).hex() == vector["hex"]


def test_only_space_tab_cr_lf_are_trimmed() -> None:
    from keys.errors import Malformed
    from keys.wire import TRIMMED, unverified_split

    text = json.loads((Path(__file__).parents[1] / "vectors" / "format-v1.json").read_text(encoding="utf-8"))["vectors"][0]["text"]
    assert unverified_split(f" \t{text}\r\n") == unverified_split(text)
    assert TRIMMED == " \t\r\n"
    for other in ("\u3000", "\u00a0", "\u0085", "\u2028", "\u000b", "\u000c", "\ufeff"):
        for wrapped in (other + text, text + other):
            with pytest.raises(Malformed):
                unverified_split(wrapped)
