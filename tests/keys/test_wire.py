import json
from datetime import date
from pathlib import Path

import pytest
import segno

from keys.base45 import b45decode
from keys.keypair import SigningKey
from keys.wire import (
    NAME_MAX_BYTES,
    PREFIX,
    Claims,
    Mode,
    pack_id_tail,
    unpack_id_tail,
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


def test_minted_fits_qr_version_6_at_level_m_with_the_longest_name() -> None:
    text = encode_minted(KEY, LONGEST, step=2**32 - 1, period=255, nonce=b"\xff" * 3)
    assert len(text) <= 154
    assert _qr_version(text) <= 6


def test_paper_and_pass_fit_qr_version_7_at_level_m() -> None:
    assert _qr_version(encode_paper(KEY, LONGEST, issued_at=2**32 - 1, not_after=2**32 - 1)) <= 7
    signed = encode_pass(KEY, LONGEST, pass_id=b"\xff" * 8, period=255, not_before=2**32 - 1, hours=72)
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
    text = encode_minted(KEY, claims, step=7, period=15, nonce=b"abc")
    u = unverified_split(text)
    assert u.kid == KEY.kid and len(u.signature) == 64
    assert decode_claims(u.signed, 14) == claims


@pytest.mark.parametrize("tail", ["0000", "123X", "9999", "999X", "0010"])
def test_id_tail_packing(tail: str) -> None:
    assert unpack_id_tail(pack_id_tail(tail)) == tail


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
