"""Citizen ID numbers (公民身份号码, GB 11643-1999).

An 18-character number: 6-digit area code, 8-digit birth date (YYYYMMDD), 3-digit
sequence, and a MOD 11-2 check character (0-9 or X). Every credential is bound to
one, so a typo caught here is a typo that never reaches a printed QR slip.

The number is personal data. It is stored in full (the office needs it to find a
holder), but anything shown on a screen or written to a log goes through
`mask_id_number`, and QR claims carry only the last four characters.
"""

from __future__ import annotations

import re
from datetime import date
from operator import mul

__all__ = [
    "IdNumberError",
    "check_character",
    "mask_id_number",
    "validate_id_number",
]

# Weight of position i is 2**(17 - i) mod 11 (GB 11643 / ISO 7064 MOD 11-2).
_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"\d{17}[\dX]")
_EARLIEST_BIRTH_YEAR = 1900


class IdNumberError(ValueError):
    """An ID number that cannot belong to anyone.

    `code` is stable and machine-readable (it ends up in import reports):
    bad_length, bad_format, bad_birth_date or bad_check_digit.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def check_character(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise IdNumberError("bad_format", "check character needs exactly 17 digits")
    total = sum(map(mul, map(int, first17), _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def validate_id_number(s: str, *, today: date | None = None) -> str:
    """Return the ID number normalised (trimmed, uppercase `X`) or raise IdNumberError.

    Checks run from the coarsest to the finest so the reported code names the most
    obvious problem: length, then characters, then the birth date, then the check
    character. The birth date must be a real calendar day from 1900 on and, when
    `today` is given, not in the future (the caller passes its injected clock; this
    module never reads one).
    """
    n = s.strip().upper()
    if len(n) != 18:
        raise IdNumberError("bad_length", f"expected 18 characters, got {len(n)}")
    if not _SHAPE.fullmatch(n):
        raise IdNumberError("bad_format", "expected 17 digits and a digit or X")
    year, month, day = int(n[6:10]), int(n[10:12]), int(n[12:14])
    try:
        born = date(year, month, day)
    except ValueError:
        raise IdNumberError("bad_birth_date", "birth date is not a calendar day") from None
    if year < _EARLIEST_BIRTH_YEAR or (today is not None and born > today):
        raise IdNumberError("bad_birth_date", "birth date is implausible")
    if check_character(n[:17]) != n[17]:
        raise IdNumberError("bad_check_digit", "check character does not match")
    return n


def mask_id_number(s: str) -> str:
    """First 6 and last 4 characters with asterisks between, for display and logs.

    The area code and the tail are what a clerk reads back to a holder on the phone;
    the birth date and sequence stay hidden. Short inputs are fully masked rather
    than partially revealed.
    """
    n = s.strip().upper()
    if len(n) <= 10:
        return "*" * len(n)
    return n[:6] + "*" * (len(n) - 10) + n[-4:]
