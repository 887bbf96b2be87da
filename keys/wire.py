"""The signed payload that a QR code carries, shared byte for byte by issuer and verifier.

Layout (all integers big-endian; the full description with test vectors is in
docs/format.md)::

    header   version u8 | mode u8 | kid 8s                               10 bytes
    MINTED   period u8 | step u32 | nonce 4s                              9 bytes
    PASS     period u8 | not_before u32 | hours u8 | pass_id 8s          14 bytes
    PAPER    issued_at u32 | not_after u32                                8 bytes
    claims   cred_id 8s | version u16 | status_index u32 | permit_type u8
             | district u8 | valid_until u16 (days since 1970-01-01)
             | id_tail 4s | name_len u8 | name (UTF-8)                   23 + n bytes
    signature  Ed25519 over every byte before it                         64 bytes
    PASS only, unsigned liveness trailer: step_low u16 | totp u24         5 bytes

Text form: ``PREFIX + base45(bytes)``, uppercase only, so the QR code uses its
alphanumeric mode. The fields a verifier needs for its cheap checks (version,
mode, kid, time) come first, so a stale or foreign code is refused before the
signature is checked; nothing else is read before the signature verifies.
"""

from __future__ import annotations

import struct
from datetime import date
from enum import IntEnum
from typing import NamedTuple

from .base45 import Base45Error, b45decode, b45encode
from .errors import Malformed, UnsupportedVersion
from .keypair import SIGNATURE_LENGTH, SigningKey

VERSION = 1
PREFIX = "RP:"
NAME_MAX_BYTES = 21
PASS_MAX_HOURS = 72
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

HEADER = struct.Struct(">BB8s")
MINTED_FIELDS = struct.Struct(">BI4s")
PASS_FIELDS = struct.Struct(">BIB8s")
PAPER_FIELDS = struct.Struct(">II")
CLAIMS_FIXED = struct.Struct(">8sHIBBH4sB")
TRAILER = struct.Struct(">HBH")  # step_low u16, then the u24 code as u8 + u16

_MIN_CLAIMS = CLAIMS_FIXED.size


class Mode(IntEnum):
    MINTED = 1
    PASS = 2
    PAPER = 3


class PermitType(IntEnum):
    RESIDENCE_PERMIT = 1  # 居住证
    REGISTRATION_CARD = 2  # 居住登记卡


class Claims(NamedTuple):
    """What a code says about its credential: the minimum an official compares.

    An immutable NamedTuple rather than a frozen dataclass: it is built on every
    verification, and a frozen dataclass costs four times as much to construct.

    ``cred_id`` is an opaque random reference, never derived from personal data.
    ``id_tail`` is the last four characters of the ID number and ``name`` may be
    cut short to fit the QR code (at most NAME_MAX_BYTES of UTF-8).
    """

    cred_id: bytes
    version: int
    status_index: int
    permit_type: int
    district: int
    valid_until: date
    id_tail: str
    name: str


def fit_name(name: str) -> str:
    """The longest prefix of ``name`` that fits NAME_MAX_BYTES, cut on a character boundary."""
    encoded = name.encode("utf-8")
    if len(encoded) <= NAME_MAX_BYTES:
        return name
    return encoded[:NAME_MAX_BYTES].decode("utf-8", errors="ignore")


def encode_claims(claims: Claims) -> bytes:
    name = fit_name(claims.name).encode("utf-8")
    tail = claims.id_tail.encode("ascii")
    if len(claims.cred_id) != 8 or len(tail) != 4:
        raise ValueError("cred_id is 8 bytes and id_tail 4 ASCII characters")
    days = claims.valid_until.toordinal() - EPOCH_ORDINAL
    return (
        CLAIMS_FIXED.pack(
            claims.cred_id,
            claims.version,
            claims.status_index,
            claims.permit_type,
            claims.district,
            days,
            tail,
            len(name),
        )
        + name
    )


def decode_claims(data: bytes, offset: int) -> Claims:
    """Claims from a payload whose signature has already been verified."""
    cred_id, version, index, ptype, district, days, tail, name_len = CLAIMS_FIXED.unpack_from(data, offset)
    start = offset + CLAIMS_FIXED.size
    if start + name_len != len(data):
        raise Malformed("claims length")
    try:
        name = data[start:].decode("utf-8")
        id_tail = tail.decode("ascii")
    except UnicodeDecodeError:
        raise Malformed("claims text") from None
    return Claims(cred_id, version, index, ptype, district, date.fromordinal(EPOCH_ORDINAL + days), id_tail, name)


def _text(payload: bytes) -> str:
    return PREFIX + b45encode(payload)


def _signed(key: SigningKey, body: bytes) -> bytes:
    return body + key.sign(body)


def encode_minted(key: SigningKey, claims: Claims, *, step: int, period: int, nonce: bytes) -> str:
    """A live code for one time step. The issuer mints a fresh one every period."""
    if len(nonce) != 4 or not 1 <= period <= 255:
        raise ValueError("nonce is 4 bytes and period 1..255 seconds")
    body = HEADER.pack(VERSION, Mode.MINTED, key.kid) + MINTED_FIELDS.pack(period, step, nonce) + encode_claims(claims)
    return _text(_signed(key, body))


def encode_pass(
    key: SigningKey, claims: Claims, *, pass_id: bytes, period: int, not_before: int, hours: int
) -> bytes:
    """The signed offline pass (without trailer); the device appends step and TOTP code."""
    if len(pass_id) != 8 or not 1 <= period <= 255 or not 1 <= hours <= PASS_MAX_HOURS:
        raise ValueError("pass_id is 8 bytes, period 1..255 s, hours 1..72")
    body = HEADER.pack(VERSION, Mode.PASS, key.kid) + PASS_FIELDS.pack(period, not_before, hours, pass_id)
    return _signed(key, body + encode_claims(claims))


def pass_text(signed_pass: bytes, step: int, code: int) -> str:
    """The text a device shows offline: the signed pass plus its liveness trailer."""
    if not 0 <= code <= 999_999:
        raise ValueError("a TOTP code has six digits")
    return _text(signed_pass + TRAILER.pack(step & 0xFFFF, code >> 16, code & 0xFFFF))


def encode_paper(key: SigningKey, claims: Claims, *, issued_at: int, not_after: int) -> str:
    """The static code printed on a stamped paper confirmation slip."""
    body = HEADER.pack(VERSION, Mode.PAPER, key.kid) + PAPER_FIELDS.pack(issued_at, not_after)
    return _text(_signed(key, body + encode_claims(claims)))


_FIELDS_SIZE = {Mode.MINTED: MINTED_FIELDS.size, Mode.PASS: PASS_FIELDS.size, Mode.PAPER: PAPER_FIELDS.size}
_MIN_LEN = {m: HEADER.size + size + _MIN_CLAIMS + SIGNATURE_LENGTH for m, size in _FIELDS_SIZE.items()}
_MIN_LEN[Mode.PASS] += TRAILER.size


class Unverified(NamedTuple):
    """A payload split into its parts, nothing verified yet.

    ``signed`` is what the signature covers, ``fields_offset`` where the mode's
    fields start, ``claims_offset`` where the claims start within ``signed``.
    ``trailer`` is the PASS liveness trailer (empty otherwise).
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
    text = text.strip()
    if not text.startswith(PREFIX):
        raise Malformed("prefix")
    try:
        raw = b45decode(text[len(PREFIX) :])
    except Base45Error:
        raise Malformed("base45") from None
    if len(raw) < HEADER.size:
        raise Malformed("short")
    version, mode, kid = HEADER.unpack_from(raw)
    if version != VERSION:
        raise UnsupportedVersion(str(version))
    minimum = _MIN_LEN.get(mode)  # type: ignore[call-overload]
    if minimum is None:
        raise Malformed("mode")
    if len(raw) < minimum:
        raise Malformed("short")
    if mode == Mode.PASS:
        end = len(raw) - TRAILER.size
        return Unverified(mode, kid, raw[: end - SIGNATURE_LENGTH], raw[end - SIGNATURE_LENGTH : end], raw[end:])
    return Unverified(mode, kid, raw[:-SIGNATURE_LENGTH], raw[-SIGNATURE_LENGTH:], b"")


def claims_offset(mode: int) -> int:
    return HEADER.size + _FIELDS_SIZE[Mode(mode)]
