"""What a code says about its credential, and the claim bytes of each wire version.

Two versions of the claims share one meaning (docs/format.md):

    v1   ref u24 | kind u8 | valid_until u16 | id_tail u16 | name               8 + n bytes
    v2   ref u32 | kind u8 | valid_until u16 | id_tail u16 | disclose u8 | name  10 + n bytes

``kind`` is ``permit_type << 5 | district``, ``valid_until`` days since
1970-01-01, ``id_tail`` the last four ID characters as ``digits * 11 + check``
(X = 10). v2 widens the status-list index so the list never runs out at
Beijing's size, and signs the holder's choice of what a business may see
(``keys.vocabulary.Disclosure``); both bytes come from the name's budget, which
is why v2 names are two bytes shorter (the same four Chinese characters in a
live code).

Kept apart from keys.wire (the text form, the modes' fields and the split) so
that each stays small; keys.wire re-exports what callers use.
"""

from __future__ import annotations

import struct
from datetime import date
from typing import NamedTuple

from .errors import Malformed
from .timekeeping import EPOCH_ORDINAL, day_number
from .vocabulary import DISCLOSURE_BITS, DISCLOSURE_CHOSEN

CLAIMS_FIXED = struct.Struct(">HBBHH")  # v1: ref is u24: high u16 + low u8, then kind, days, id_tail
CLAIMS_FIXED_V2 = struct.Struct(">IBHHB")  # v2: ref u32, kind, days, id_tail, disclose
MAX_REF = (1 << 24) - 1
MAX_REF_V2 = (1 << 32) - 1


class Claims(NamedTuple):
    """What a code says about its credential: the minimum an official compares.

    ``ref`` is the status-list index of this version of the credential.
    ``id_tail`` is the last four characters of the ID number; ``name`` may be cut
    short to fit the QR code. ``disclose`` is the v2 ``disclose`` byte: 0 when the
    holder made no choice (and always in a v1 code). An immutable NamedTuple
    rather than a frozen dataclass: it is built on every verification, and a
    frozen dataclass costs four times as much to construct.
    """

    ref: int
    permit_type: int
    district: int
    valid_until: date
    id_tail: str
    name: str
    disclose: int = 0


def fit_name(name: str, max_bytes: int) -> str:
    """The longest prefix of ``name`` within ``max_bytes`` of UTF-8, cut on a character boundary."""
    encoded = name.encode("utf-8")
    if len(encoded) <= max_bytes:
        return name
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def pack_id_tail(tail: str) -> int:
    if len(tail) != 4 or not tail[:3].isdigit() or not (tail[3].isdigit() or tail[3] == "X"):
        raise ValueError("id_tail is three digits and a check character (0-9 or X)")
    return int(tail[:3]) * 11 + (10 if tail[3] == "X" else int(tail[3]))


def ref_bytes(ref: int) -> bytes:
    """A status-list index as the credential reference the audit hashes: three bytes, four
    when it needs them, so a v1 and a v2 code of one credential version name it alike."""
    return ref.to_bytes(3 if ref < 1 << 24 else 4, "big")


#: every packed ID tail's text, so a verification looks it up instead of formatting it
_ID_TAILS = tuple(f"{digits:03d}{'X' if check == 10 else check}" for digits in range(1000) for check in range(11))
_ID_TAIL_COUNT = len(_ID_TAILS)
#: valid_until dates seen so far by day number (at most 65536: a u16 of days)
_DATES: dict[int, date] = {}


def _checked_fixed(claims: Claims, max_ref: int) -> tuple[int, int]:
    if not 0 <= claims.ref <= max_ref or not 1 <= claims.permit_type <= 7 or not 0 <= claims.district <= 31:
        raise ValueError("ref, permit_type or district out of range")
    return day_number(claims.valid_until), pack_id_tail(claims.id_tail)


def pack_claims_v1(claims: Claims, name_max_bytes: int) -> bytes:
    """v1 claim bytes (a choice of disclosure cannot be carried: ValueError)."""
    if claims.disclose:
        raise ValueError("a v1 code carries no disclosure choice")
    days, tail = _checked_fixed(claims, MAX_REF)
    name = fit_name(claims.name, name_max_bytes).encode("utf-8")
    kind = claims.permit_type << 5 | claims.district
    return CLAIMS_FIXED.pack(claims.ref >> 8, claims.ref & 0xFF, kind, days, tail) + name


def pack_claims_v2(claims: Claims, name_max_bytes: int) -> bytes:
    """v2 claim bytes; ``disclose`` must be canonical (see ``decode_claims_v2``)."""
    if not valid_disclose(claims.disclose):
        raise ValueError("disclose is 0 or DISCLOSURE_CHOSEN with field bits")
    days, tail = _checked_fixed(claims, MAX_REF_V2)
    name = fit_name(claims.name, name_max_bytes).encode("utf-8")
    kind = claims.permit_type << 5 | claims.district
    return CLAIMS_FIXED_V2.pack(claims.ref, kind, days, tail, claims.disclose) + name


def valid_disclose(value: int) -> bool:
    """0 (no choice), or the chosen marker with only known field bits: one form per meaning."""
    return value == 0 or (value & DISCLOSURE_CHOSEN != 0 and value & ~DISCLOSURE_BITS == 0)


def _name(data: bytes, start: int) -> str:
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("claims text") from None


def _valid_until(days: int) -> date:
    valid_until = _DATES.get(days)
    if valid_until is None:
        valid_until = _DATES.setdefault(days, date.fromordinal(EPOCH_ORDINAL + days))
    return valid_until


def decode_claims(data: bytes, offset: int) -> Claims:
    """v1 claims from a payload whose signature has already been verified."""
    ref_high, ref_low, kind, days, tail = _unpack_v1(data, offset)
    name = _name(data, offset + _V1_SIZE)
    if tail >= _ID_TAIL_COUNT:
        raise Malformed("id_tail")
    # tuple.__new__ skips the Python-level __new__ of the NamedTuple: same object, less work.
    return _new_tuple(
        Claims, (ref_high << 8 | ref_low, kind >> 5, kind & 31, _valid_until(days), _ID_TAILS[tail], name, 0)
    )


def decode_claims_v2(data: bytes, offset: int) -> Claims:
    """v2 claims from a verified payload; a ``disclose`` byte outside its one form is MALFORMED."""
    ref, kind, days, tail, disclose = _unpack_v2(data, offset)
    name = _name(data, offset + _V2_SIZE)
    if tail >= _ID_TAIL_COUNT:
        raise Malformed("id_tail")
    if disclose and not valid_disclose(disclose):
        raise Malformed("disclose")
    return _new_tuple(Claims, (ref, kind >> 5, kind & 31, _valid_until(days), _ID_TAILS[tail], name, disclose))


_new_tuple = tuple.__new__
_unpack_v1 = CLAIMS_FIXED.unpack_from
_unpack_v2 = CLAIMS_FIXED_V2.unpack_from
_V1_SIZE = CLAIMS_FIXED.size
_V2_SIZE = CLAIMS_FIXED_V2.size
