from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from issuer.idnumber import IdNumberError, check_character, mask_id_number, validate_id_number
from tests.issuer.idgen import make_id

TODAY = date(2026, 11, 23)

areas = st.from_regex(r"[1-6][0-9]{5}", fullmatch=True)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


def test_standard_example_validates() -> None:
    # The worked example from GB 11643-1999.
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@settings(derandomize=True)
@given(areas, births, sequences)
def test_generated_ids_validate_and_normalise(area: str, born: date, seq: int) -> None:
    idn = make_id(area, born, seq)
    assert validate_id_number(f"  {idn.lower()} ", today=TODAY) == idn


@settings(derandomize=True)
@given(areas, births, sequences, st.sampled_from([0, 1, 2, 3, 4, 5, 14, 15, 16]),
       st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_breaks_the_check(
    area: str, born: date, seq: int, pos: int, delta: int
) -> None:
    # MOD 11-2 weights are all non-zero mod 11, so every substitution is caught.
    # Only area and sequence digits are changed so the birth date stays valid.
    idn = make_id(area, born, seq)
    changed = idn[:pos] + str((int(idn[pos]) + delta) % 10) + idn[pos + 1 :]
    with pytest.raises(IdNumberError) as info:
        validate_id_number(changed, today=TODAY)
    assert info.value.code == "bad_check_digit"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1101051949123100", "bad_length"),
        ("11010519491231002XX", "bad_length"),
        ("", "bad_length"),
        ("1101051949123100AX", "bad_format"),
        ("X10105194912310021", "bad_format"),
        ("11010519491331002X", "bad_birth_date"),  # month 13
        ("11010519490230002X", "bad_birth_date"),  # 30 February
        ("11010518991231002X", "bad_birth_date"),  # before 1900
        ("110105194912310021", "bad_check_digit"),
    ],
)
def test_defect_codes(value: str, code: str) -> None:
    with pytest.raises(IdNumberError) as info:
        validate_id_number(value, today=TODAY)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)


def test_birth_date_in_the_future_is_refused_only_with_a_clock() -> None:
    tomorrow = make_id(born=TODAY + timedelta(days=1))
    with pytest.raises(IdNumberError) as info:
        validate_id_number(tomorrow, today=TODAY)
    assert info.value.code == "bad_birth_date"
    assert validate_id_number(tomorrow) == tomorrow


def test_check_character_needs_17_digits() -> None:
    with pytest.raises(IdNumberError):
        check_character("123")


def test_mask_keeps_first_six_and_last_four() -> None:
    assert mask_id_number("11010519491231002x") == "110105********002X"
    assert mask_id_number("12345") == "*****"
