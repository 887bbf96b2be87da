"""Wire format v2: the four-byte index, the signed ``disclose`` byte, the name's budget; v1 still read.

Unit tests of the encoder and decoder, and property tests (hypothesis) of the
v2 claims decoder: it never raises anything but a CredentialError, and it is
canonical (one byte string per meaning: what it accepts re-encodes to the same
bytes, and two different byte strings never read as the same claims).
"""

from __future__ import annotations

from datetime import date

import pytest
import segno
from hypothesis import HealthCheck, given, settings, strategies as st

from keys.base45 import b45decode
from keys.claims import CLAIMS_FIXED_V2, decode_claims_v2, pack_claims_v2, ref_bytes, valid_disclose
from keys.errors import CredentialError, Malformed
from keys.keypair import SigningKey
from keys.vocabulary import (
    DISCLOSURE_BY_FIELD,
    DISCLOSURE_CHOSEN,
    Disclosure,
    disclosed_field_names,
    disclosure_byte,
)
from keys.wire import (
    LAYOUTS,
    NAME_MAX_BYTES_V2,
    PREFIX,
    VERSION,
    Claims,
    Mode,
    encode_minted,
    encode_paper,
    unverified_split,
)

KEY = SigningKey(bytes(32))
CLAIMS = Claims(20_000_001, 1, 6, date(2027, 6, 30), "123X", "张伟", 0x83)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_issuer_mints_v2() -> None:
    assert VERSION == 2
    assert b45decode(encode_minted(KEY, CLAIMS, step=1, period=15, nonce=b"abc")[len(PREFIX):])[0] == 2


def test_v2_layout_offsets_and_bounds() -> None:
    v2 = LAYOUTS[2]
    assert v2.ref_size == 4 and v2.max_ref == 2**32 - 1
    assert v2.claims_offset == {1: 14, 2: 20, 3: 14, 4: 49}
    assert v2.length_bounds == {1: (88, 100), 2: (99, 115), 3: (88, 116), 4: (189, 205)}
    assert NAME_MAX_BYTES_V2 == {Mode.MINTED: 12, Mode.PASS: 16, Mode.PAPER: 28, Mode.DEVICE: 16}
    # the same QR versions as v1: each mode's longest payload is v1's (DEVICE's one byte more still fits 10-M)
    assert [v2.length_bounds[m][1] - LAYOUTS[1].length_bounds[m][1] for m in (1, 2, 3, 4)] == [0, 0, 0, 1]


def test_claims_round_trip_with_a_wide_ref_and_a_choice() -> None:
    u = unverified_split(encode_minted(KEY, CLAIMS, step=0x01020304, period=15, nonce=b"xyz"))
    assert u.version == 2 and u.mode == Mode.MINTED
    assert LAYOUTS[2].decode(u.signed, LAYOUTS[2].claims_offset[Mode.MINTED]) == CLAIMS
    assert u.signed[LAYOUTS[2].minted_once] == bytes([1, 2, 3, 4]) + b"xyz" + (20_000_001).to_bytes(4, "big")


def test_four_chinese_characters_still_fit_a_live_code_in_qr_version_6() -> None:
    longest = CLAIMS._replace(ref=2**32 - 1, name="欧阳娜娜娜")
    text = encode_minted(KEY, longest, step=2**32 - 1, period=255, nonce=b"\xff" * 3)
    u = unverified_split(text)
    assert LAYOUTS[2].decode(u.signed, 14).name == "欧阳娜娜"
    assert len(text) == 153
    qr = segno.make(text, error="m", boost_error=False)
    assert (qr.mode, qr.version) == ("alphanumeric", 6)


@pytest.mark.parametrize("disclose", [0x01, 0x02, 0x03, 0x04, 0x40, 0x84, 0xFF, 0x7F])
def test_a_disclose_byte_outside_its_two_forms_is_refused(disclose: int) -> None:
    assert not valid_disclose(disclose)
    with pytest.raises(ValueError):
        encode_minted(KEY, CLAIMS._replace(disclose=disclose), step=1, period=15, nonce=b"abc")
    fixed = CLAIMS_FIXED_V2.pack(1, 1 << 5 | 6, 20999, 1363, disclose)
    with pytest.raises(Malformed):
        decode_claims_v2(fixed + "张伟".encode(), 0)


@pytest.mark.parametrize("disclose", [0x00, 0x80, 0x81, 0x82, 0x83])
def test_the_valid_disclose_bytes(disclose: int) -> None:
    assert valid_disclose(disclose)
    fixed = CLAIMS_FIXED_V2.pack(1, 1 << 5 | 6, 20999, 1363, disclose)
    assert decode_claims_v2(fixed, 0).disclose == disclose


def test_v1_cannot_carry_a_choice_or_a_wide_ref() -> None:
    with pytest.raises(ValueError):
        encode_paper(KEY, CLAIMS._replace(ref=1), issued_at=0, not_after=1, version=1)  # disclose 0x83
    with pytest.raises(ValueError):
        encode_paper(KEY, CLAIMS._replace(disclose=0), issued_at=0, not_after=1, version=1)  # ref beyond 2^24
    with pytest.raises(ValueError):
        encode_paper(KEY, CLAIMS, issued_at=0, not_after=1, version=3)


def test_the_disclosure_vocabulary() -> None:
    assert [d.field for d in Disclosure] == list(DISCLOSURE_BY_FIELD) == ["name", "id_tail"]
    assert all(d.label.zh and d.label.en for d in Disclosure)
    assert disclosure_byte([]) == DISCLOSURE_CHOSEN
    assert disclosure_byte(["id_tail", "name"]) == 0x83
    assert disclosed_field_names(0x83) == ("name", "id_tail") and disclosed_field_names(0x80) == ()
    assert disclosed_field_names(0) is None
    with pytest.raises(ValueError):
        disclosure_byte(["address"])


def test_ref_bytes_are_three_until_two_to_the_24() -> None:
    assert ref_bytes(0xFFFFFF) == b"\xff\xff\xff" and ref_bytes(1 << 24) == b"\x01\x00\x00\x00"


@FUZZ
@given(st.binary(min_size=10, max_size=10 + 28))
def test_the_v2_decoder_raises_only_credential_errors(data: bytes) -> None:
    try:
        decode_claims_v2(data, 0)
    except CredentialError:
        pass


@FUZZ
@given(st.binary(min_size=10, max_size=10 + 12), st.integers(0, 21), st.integers(0, 255))
def test_the_v2_decoder_is_canonical(data: bytes, position: int, value: int) -> None:
    try:
        claims = decode_claims_v2(data, 0)
    except CredentialError:
        return
    if claims.permit_type:  # the encoder issues types 1..7; a type-0 code is read, never made
        assert pack_claims_v2(claims, 12) == data
    other = bytearray(data)
    other[position % len(data)] = value
    if bytes(other) == data:
        return
    try:
        assert decode_claims_v2(bytes(other), 0) != claims  # two byte strings, two meanings
    except CredentialError:
        pass


@FUZZ
@given(
    st.integers(0, 2**32 - 1), st.integers(1, 7), st.integers(0, 31), st.integers(0, 65535),
    st.sampled_from(["0000", "123X", "999X", "5550"]), st.text(max_size=8),
    st.sampled_from([0, 0x80, 0x81, 0x82, 0x83]),
)
def test_encode_then_decode_is_the_identity(
    ref: int, permit_type: int, district: int, days: int, tail: str, name: str, disclose: int
) -> None:
    from keys.timekeeping import EPOCH_ORDINAL

    claims = Claims(ref, permit_type, district, date.fromordinal(EPOCH_ORDINAL + days), tail, name, disclose)
    data = pack_claims_v2(claims, 28)
    decoded = decode_claims_v2(data, 0)
    assert decoded == claims._replace(name=decoded.name) and name.startswith(decoded.name)
