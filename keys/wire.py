"""The signed payload that a QR code carries, shared byte for byte by issuer and verifier.

Layout (all integers big-endian; the full description with test vectors is in
docs/format.md)::

    header   version u8 | mode u8 | kid 4s                                 6 bytes
    MINTED   period u8 | step u32 | nonce 3s                               8 bytes
    PASS     period u8 | not_before u32 | hours u8 | pass_id 8s           14 bytes
    PAPER    issued_at u32 | not_after u32                                 8 bytes
    DEVICE   period u8 | not_before u32 | hours u8 | pass_ref u24
             | device_key 33s (keys.device_key)                           42 bytes
    claims   ref u24 | kind u8 (permit_type << 5 | district)
             | valid_until u16 (days since 1970-01-01) | id_tail u16
             | name (UTF-8, the rest up to the signature)                  8 + n bytes
    signature  Ed25519 over every byte before it                          64 bytes
    PASS only, unsigned liveness trailer: step_low u16 | totp u24          5 bytes
    DEVICE only, device trailer: step_low u16 | device signature 64s      66 bytes

``ref`` is the credential's status-list index: it names one version of one
credential (a change of address gets a new one), so it serves both as the
credential reference for replay and audit and as the place to look up
revocation, without any personal data. ``id_tail`` packs the last four
characters of the ID number (three digits and a check character 0-9 or X=10)
as ``digits * 11 + check``.

Text form: ``PREFIX + base45(bytes)``, uppercase only, so the QR code uses its
alphanumeric mode. A MINTED code is at most 100 bytes, so the text fits QR
version 6 at error level M (154 alphanumeric characters); the name is cut to
fit. The fields a verifier needs for its cheap checks (version, mode, kid, time)
come first, so a stale or foreign code is refused before the signature is
checked; nothing else is read before the signature verifies.
"""

from __future__ import annotations

import struct
from datetime import date
from typing import NamedTuple

from .base45 import Base45Error, b45decode, b45encode
from .errors import Malformed, UnsupportedVersion
from .keypair import SIGNATURE_LENGTH, SigningKey
from .timekeeping import EPOCH_ORDINAL, day_number
from .vocabulary import Mode

VERSION = 1
PREFIX = "RP:"
#: What is trimmed from both ends of a scanned text, and nothing else (docs/format.md, "Text form"):
#: the space, tab, CR and LF that keyboard-wedge scanners and copy-paste add.
TRIMMED = " \t\r\n"
PASS_MAX_HOURS = 72

HEADER = struct.Struct(">BB4s")
MINTED_FIELDS = struct.Struct(">BI3s")
PASS_FIELDS = struct.Struct(">BIB8s")
PAPER_FIELDS = struct.Struct(">II")
CLAIMS_FIXED = struct.Struct(">HBBHH")  # ref is u24: high u16 + low u8, then kind, days, id_tail
TRAILER = struct.Struct(">HBH")  # step_low u16, then the u24 code as u8 + u16
DEVICE_FIELDS = struct.Struct(">BIB3s33s")  # period, not_before, hours, pass_ref u24, device key field
DEVICE_TRAILER = struct.Struct(">H64s")  # step_low u16, device signature
#: what the device signs before the step and the pass, so its signature means nothing elsewhere
DEVICE_CONTEXT = b"permit-device/1"
_DEVICE_STEP = struct.Struct(">I")

#: where the mode's own fields start (right after the header)
FIELDS_OFFSET = HEADER.size


#: the longest name (UTF-8 bytes) each mode carries; chosen so that MINTED stays
#: within QR version 6-M and PASS / PAPER within version 7-M.
#: DEVICE within version 10-M.
NAME_MAX_BYTES = {Mode.MINTED: 14, Mode.PASS: 18, Mode.PAPER: 30, Mode.DEVICE: 18}
MAX_REF = (1 << 24) - 1


class Claims(NamedTuple):
    """What a code says about its credential: the minimum an official compares.

    ``ref`` is the status-list index of this version of the credential.
    ``id_tail`` is the last four characters of the ID number; ``name`` may be cut
    short to fit the QR code. An immutable NamedTuple rather than a frozen
    dataclass: it is built on every verification, and a frozen dataclass costs
    four times as much to construct.
    """

    ref: int
    permit_type: int
    district: int
    valid_until: date
    id_tail: str
    name: str


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


#: every packed ID tail's text, so a verification looks it up instead of formatting it
_ID_TAILS = tuple(f"{digits:03d}{'X' if check == 10 else check}" for digits in range(1000) for check in range(11))
_ID_TAIL_COUNT = len(_ID_TAILS)
#: valid_until dates seen so far by day number (at most 65536: a u16 of days)
_DATES: dict[int, date] = {}


def encode_claims(claims: Claims, mode: Mode) -> bytes:
    if not 0 <= claims.ref <= MAX_REF or not 1 <= claims.permit_type <= 7 or not 0 <= claims.district <= 31:
        raise ValueError("ref, permit_type or district out of range")
    days = day_number(claims.valid_until)
    name = fit_name(claims.name, NAME_MAX_BYTES[mode]).encode("utf-8")
    fixed = CLAIMS_FIXED.pack(
        claims.ref >> 8,
        claims.ref & 0xFF,
        claims.permit_type << 5 | claims.district,
        days,
        pack_id_tail(claims.id_tail),
    )
    return fixed + name


def decode_claims(data: bytes, offset: int) -> Claims:
    """Claims from a payload whose signature has already been verified."""
    ref_high, ref_low, kind, days, tail = CLAIMS_FIXED.unpack_from(data, offset)
    try:
        name = data[offset + _CLAIMS_FIXED_SIZE :].decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("claims text") from None
    valid_until = _DATES.get(days)
    if valid_until is None:
        valid_until = _DATES.setdefault(days, date.fromordinal(EPOCH_ORDINAL + days))
    if tail >= _ID_TAIL_COUNT:
        raise Malformed("id_tail")
    # tuple.__new__ skips the Python-level __new__ of the NamedTuple: same object, less work.
    return _new_tuple(Claims, (ref_high << 8 | ref_low, kind >> 5, kind & 31, valid_until, _ID_TAILS[tail], name))


_new_tuple = tuple.__new__
_CLAIMS_FIXED_SIZE = CLAIMS_FIXED.size


def _text(payload: bytes) -> str:
    return PREFIX + b45encode(payload)


def _signed(key: SigningKey, body: bytes) -> bytes:
    return body + key.sign(body)


def encode_minted(key: SigningKey, claims: Claims, *, step: int, period: int, nonce: bytes) -> str:
    """A live code for one time step. The issuer mints a fresh one every period."""
    if len(nonce) != 3 or not 1 <= period <= 255:
        raise ValueError("nonce is 3 bytes and period 1..255 seconds")
    body = (
        HEADER.pack(VERSION, Mode.MINTED, key.kid)
        + MINTED_FIELDS.pack(period, step, nonce)
        + encode_claims(claims, Mode.MINTED)
    )
    return _text(_signed(key, body))


def encode_pass(
    key: SigningKey, claims: Claims, *, pass_id: bytes, period: int, not_before: int, hours: int
) -> bytes:
    """The signed offline pass (without trailer); the device appends step and TOTP code."""
    if len(pass_id) != 8 or not 1 <= period <= 255 or not 1 <= hours <= PASS_MAX_HOURS:
        raise ValueError("pass_id is 8 bytes, period 1..255 s, hours 1..72")
    body = HEADER.pack(VERSION, Mode.PASS, key.kid) + PASS_FIELDS.pack(period, not_before, hours, pass_id)
    return _signed(key, body + encode_claims(claims, Mode.PASS))


def pass_text(signed_pass: bytes, step: int, code: int) -> str:
    """The text a device shows offline: the signed pass plus its liveness trailer."""
    if not 0 <= code <= 999_999:
        raise ValueError("a TOTP code has six digits")
    return _text(signed_pass + TRAILER.pack(step & 0xFFFF, code >> 16, code & 0xFFFF))


def encode_device_pass(
    key: SigningKey,
    claims: Claims,
    *,
    period: int,
    not_before: int,
    hours: int,
    pass_ref: int,
    device_key: bytes,
) -> bytes:
    """A device-bound pass (without trailer): the issuer vouches for one phone's public key.

    ``pass_ref`` is the pass's own status-list index (the device's, so removing the
    phone revokes every pass it holds); ``device_key`` is the 33-byte field of
    keys.device_key.
    """
    if not 1 <= period <= 255 or not 1 <= hours <= PASS_MAX_HOURS or not 0 <= pass_ref <= MAX_REF:
        raise ValueError("period 1..255 s, hours 1..72, pass_ref a u24")
    if len(device_key) != 33:
        raise ValueError("the device key field is 33 bytes")
    fields = DEVICE_FIELDS.pack(period, not_before, hours, pass_ref.to_bytes(3, "big"), device_key)
    body = HEADER.pack(VERSION, Mode.DEVICE, key.kid) + fields + encode_claims(claims, Mode.DEVICE)
    return _signed(key, body)


def device_step_message(device_pass: bytes, step: int, signature: bytes = b"") -> bytes:
    """What the device signs for one time step: context, the full step, the whole signed pass.

    A verifier holding the pass as its signed bytes and issuer signature passes them
    apart (``signature``), so the message is assembled in one copy.
    """
    return b"".join((DEVICE_CONTEXT, _DEVICE_STEP.pack(step), device_pass, signature))


def device_text(device_pass: bytes, step: int, signature: bytes) -> str:
    """The text a phone shows offline: the pass plus the step and the device's signature of it."""
    if len(signature) != SIGNATURE_LENGTH:
        raise ValueError("a device signature is 64 bytes")
    return _text(device_pass + DEVICE_TRAILER.pack(step & 0xFFFF, signature))


def encode_paper(key: SigningKey, claims: Claims, *, issued_at: int, not_after: int) -> str:
    """The static code printed on a stamped paper confirmation slip."""
    body = HEADER.pack(VERSION, Mode.PAPER, key.kid) + PAPER_FIELDS.pack(issued_at, not_after)
    return _text(_signed(key, body + encode_claims(claims, Mode.PAPER)))


_FIELDS_SIZE = {
    Mode.MINTED: MINTED_FIELDS.size,
    Mode.PASS: PASS_FIELDS.size,
    Mode.PAPER: PAPER_FIELDS.size,
    Mode.DEVICE: DEVICE_FIELDS.size,
}
#: mode -> where its claims start in the signed bytes
CLAIMS_OFFSET: dict[int, int] = {int(m): FIELDS_OFFSET + size for m, size in _FIELDS_SIZE.items()}
#: the signed bytes of a MINTED code that name it once: step, nonce and ref, contiguous
#: (period u8 is skipped; ref is the first three bytes of the claims)
MINTED_ONCE = slice(FIELDS_OFFSET + 1, CLAIMS_OFFSET[Mode.MINTED] + 3)
_MIN_LEN = {int(m): HEADER.size + size + CLAIMS_FIXED.size + SIGNATURE_LENGTH for m, size in _FIELDS_SIZE.items()}
_MIN_LEN[Mode.PASS] += TRAILER.size
_MIN_LEN[Mode.DEVICE] += DEVICE_TRAILER.size
_MAX_LEN = {int(m): _MIN_LEN[m] + NAME_MAX_BYTES[m] for m in Mode}
_PASS = int(Mode.PASS)
_DEVICE = int(Mode.DEVICE)
_TRAILER_SIZE = {_PASS: TRAILER.size, _DEVICE: DEVICE_TRAILER.size}


class Unverified(NamedTuple):
    """A payload split into its parts, nothing verified yet.

    ``signed`` is what the signature covers; ``trailer`` is the PASS liveness
    trailer or the DEVICE trailer (empty otherwise).
    """

    mode: int
    kid: bytes
    signed: bytes
    signature: bytes
    trailer: bytes


def unverified_split(text: str) -> Unverified:
    """Parse the text form far enough to check it; raises Malformed / UnsupportedVersion."""
    if not isinstance(text, str):
        raise Malformed("not text")
    text = text.strip(TRIMMED)
    if not text.startswith(PREFIX):
        raise Malformed("prefix")
    try:
        raw = b45decode(text[3:])
    except Base45Error:
        raise Malformed("base45") from None
    size = len(raw)
    if size < _HEADER_SIZE:
        raise Malformed("short")
    version, mode, kid = _unpack_header(raw)
    if version != VERSION:
        raise UnsupportedVersion(str(version))
    bounds = LENGTH_BOUNDS.get(mode)
    if bounds is None:
        raise Malformed("mode")
    if not bounds[0] <= size <= bounds[1]:
        raise Malformed("length")
    trailer_size = _TRAILER_SIZE.get(mode)
    if trailer_size is not None:
        end = size - trailer_size
        cut = end - SIGNATURE_LENGTH
        return _new_tuple(Unverified, (mode, kid, raw[:cut], raw[cut:end], raw[end:]))
    return _new_tuple(Unverified, (mode, kid, raw[:-SIGNATURE_LENGTH], raw[-SIGNATURE_LENGTH:], b""))


_HEADER_SIZE = HEADER.size
_unpack_header = HEADER.unpack_from
LENGTH_BOUNDS = {m: (_MIN_LEN[m], _MAX_LEN[m]) for m in _MIN_LEN}
_unpack_trailer = TRAILER.unpack
_unpack_device_trailer = DEVICE_TRAILER.unpack


def _nearest_step(step_low: int, now_step: int) -> int:
    """The step whose low 16 bits are ``step_low`` nearest to ``now_step`` (a pass lives 72
    hours, far fewer than 2^15 steps either way)."""
    return now_step + ((step_low - now_step + 0x8000) & 0xFFFF) - 0x8000


def read_trailer(trailer: bytes, now_step: int) -> tuple[int, int]:
    """(step, code) of a PASS liveness trailer, for a verifier whose own step is ``now_step``."""
    step_low, code_high, code_low = _unpack_trailer(trailer)
    return _nearest_step(step_low, now_step), code_high << 16 | code_low


def read_device_trailer(trailer: bytes, now_step: int) -> tuple[int, bytes]:
    """(step, device signature) of a DEVICE trailer, for a verifier whose own step is ``now_step``."""
    step_low, signature = _unpack_device_trailer(trailer)
    return _nearest_step(step_low, now_step), signature
