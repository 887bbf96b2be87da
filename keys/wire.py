"""The signed payload that a QR code carries, shared byte for byte by issuer and verifier.

Layout (all integers big-endian; the full description with test vectors is in
docs/format.md)::

    header   version u8 | mode u8 | kid 4s                                 6 bytes
    MINTED   period u8 | step u32 | nonce 3s                               8 bytes
    PASS     period u8 | not_before u32 | hours u8 | pass_id 8s           14 bytes
    PAPER    issued_at u32 | not_after u32                                 8 bytes
    DEVICE   period u8 | not_before u32 | hours u8 | pass_ref (u24 in v1, u32 in v2)
             | device_key 33s (keys.device_key)                     42 / 43 bytes
    claims   keys.claims: v1 ref u24 | kind | valid_until | id_tail | name      8 + n bytes
                          v2 ref u32 | kind | valid_until | id_tail
                             | disclose u8 | name                             10 + n bytes
    signature  Ed25519 over every byte before it                          64 bytes
    PASS only, unsigned liveness trailer: step_low u16 | totp u24          5 bytes
    DEVICE only, device trailer: step_low u16 | device signature 64s      66 bytes

Version 2 (what the issuer mints, ``VERSION``) differs from version 1 only in
the width of the status-list indices (``ref``, ``pass_ref``) and the signed
``disclose`` byte; a verifier reads both (``LAYOUTS``), so v1 codes verify
until they expire. The module-level offsets without a version in their name
(``CLAIMS_OFFSET``, ``MINTED_ONCE``, ``LENGTH_BOUNDS``, ``NAME_MAX_BYTES``) are v1's.

``ref`` is the credential's status-list index: it names one version of one
credential (a change of address gets a new one), so it serves both as the
credential reference for replay and audit and as the place to look up
revocation, without any personal data.

Text form: ``PREFIX + base45(bytes)``, uppercase only, so the QR code uses its
alphanumeric mode. A MINTED code is at most 100 bytes in either version, so the
text fits QR version 6 at error level M (154 alphanumeric characters); the name
is cut to fit. The fields a verifier needs for its cheap checks (version, mode,
kid, time) come first, so a stale or foreign code is refused before the
signature is checked; nothing else is read before the signature verifies.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Callable, NamedTuple

from .base45 import Base45Error, b45decode, b45encode
# the claims live in keys.claims; callers import them from here with the rest of the format
from .claims import (
    CLAIMS_FIXED,
    CLAIMS_FIXED_V2,
    MAX_REF,
    MAX_REF_V2,
    Claims,
    decode_claims,
    decode_claims_v2,
    fit_name,
    pack_claims_v1,
    pack_claims_v2,
    pack_id_tail,
    ref_bytes,
)
from .errors import Malformed, UnsupportedVersion
from .keypair import SIGNATURE_LENGTH, SigningKey
from .vocabulary import Mode

VERSION_1 = 1
VERSION_2 = 2
#: the version the issuer mints; a verifier reads every version of ``LAYOUTS``
VERSION = VERSION_2
PREFIX = "RP:"
#: What is trimmed from both ends of a scanned text, and nothing else (docs/format.md, "Text form"):
#: the space, tab, CR and LF that keyboard-wedge scanners and copy-paste add.
TRIMMED = " \t\r\n"
PASS_MAX_HOURS = 72

HEADER = struct.Struct(">BB4s")
MINTED_FIELDS = struct.Struct(">BI3s")
PASS_FIELDS = struct.Struct(">BIB8s")
PAPER_FIELDS = struct.Struct(">II")
TRAILER = struct.Struct(">HBH")  # step_low u16, then the u24 code as u8 + u16
DEVICE_FIELDS = struct.Struct(">BIB3s33s")  # v1: period, not_before, hours, pass_ref u24, device key field
DEVICE_FIELDS_V2 = struct.Struct(">BIB4s33s")  # v2: the same with pass_ref u32
DEVICE_TRAILER = struct.Struct(">H64s")  # step_low u16, device signature
#: what the device signs before the step and the pass, so its signature means nothing elsewhere
DEVICE_CONTEXT = b"permit-device/1"
_DEVICE_STEP = struct.Struct(">I")

#: where the mode's own fields start (right after the header)
FIELDS_OFFSET = HEADER.size


#: the longest name (UTF-8 bytes) each mode carries in v1; chosen so that MINTED stays
#: within QR version 6-M, PASS / PAPER within version 7-M and DEVICE within version 10-M.
NAME_MAX_BYTES = {Mode.MINTED: 14, Mode.PASS: 18, Mode.PAPER: 30, Mode.DEVICE: 18}
#: v2: two bytes fewer each (the wider ref and the disclose byte), the same QR versions;
#: a live code still carries four Chinese characters (12 bytes)
NAME_MAX_BYTES_V2 = {m: n - 2 for m, n in NAME_MAX_BYTES.items()}


@dataclass(frozen=True)
class Layout:
    """Where one wire version keeps what: the fields' sizes per mode, the claims, the name budget.

    ``claims_offset`` and ``length_bounds`` are keyed by mode number; ``minted_once``
    is the slice of a MINTED code's signed bytes that names it once (step, nonce
    and ref, contiguous); ``decode`` reads the claims of a verified payload.
    """

    version: int
    ref_size: int
    max_ref: int
    device_fields: struct.Struct
    name_max_bytes: dict[Mode, int]
    claims_offset: dict[int, int]
    length_bounds: dict[int, tuple[int, int]]
    minted_once: slice
    decode: Callable[[bytes, int], Claims]
    encode: Callable[[Claims, int], bytes]

    def claims(self, claims: Claims, mode: Mode) -> bytes:
        return self.encode(claims, self.name_max_bytes[mode])


def _layout(
    version: int, claims_fixed: struct.Struct, device_fields: struct.Struct, names: dict[Mode, int],
    max_ref: int, decode: Callable[[bytes, int], Claims], encode: Callable[[Claims, int], bytes],
) -> Layout:
    sizes = {Mode.MINTED: MINTED_FIELDS.size, Mode.PASS: PASS_FIELDS.size, Mode.PAPER: PAPER_FIELDS.size,
             Mode.DEVICE: device_fields.size}
    offsets = {int(m): FIELDS_OFFSET + size for m, size in sizes.items()}
    trailers = {Mode.PASS: TRAILER.size, Mode.DEVICE: DEVICE_TRAILER.size}
    minimum = {int(m): offsets[m] + claims_fixed.size + SIGNATURE_LENGTH + trailers.get(m, 0) for m in sizes}
    bounds = {m: (low, low + names[Mode(m)]) for m, low in minimum.items()}
    ref_size = device_fields.size - DEVICE_FIELDS.size + 3
    once = slice(FIELDS_OFFSET + 1, offsets[Mode.MINTED] + ref_size)
    return Layout(version, ref_size, max_ref, device_fields, names, offsets, bounds, once, decode, encode)


LAYOUTS: dict[int, Layout] = {
    VERSION_1: _layout(VERSION_1, CLAIMS_FIXED, DEVICE_FIELDS, NAME_MAX_BYTES, MAX_REF, decode_claims, pack_claims_v1),
    VERSION_2: _layout(VERSION_2, CLAIMS_FIXED_V2, DEVICE_FIELDS_V2, NAME_MAX_BYTES_V2, MAX_REF_V2,
                       decode_claims_v2, pack_claims_v2),
}
_V1 = LAYOUTS[VERSION_1]
#: v1: mode -> where its claims start in the signed bytes
CLAIMS_OFFSET: dict[int, int] = _V1.claims_offset
#: v1: the signed bytes of a MINTED code that name it once: step, nonce and ref, contiguous
#: (period u8 is skipped; ref is the first three bytes of the claims)
MINTED_ONCE = _V1.minted_once
#: v1: mode -> (shortest, longest) payload in bytes
LENGTH_BOUNDS = _V1.length_bounds


def encode_claims(claims: Claims, mode: Mode, version: int = VERSION_1) -> bytes:
    """The claim bytes of a ``mode`` code in ``version`` (v1 unless said, as the other unversioned names)."""
    return _layout_of(version).claims(claims, mode)


def _text(payload: bytes) -> str:
    return PREFIX + b45encode(payload)


def _signed(key: SigningKey, body: bytes) -> bytes:
    return body + key.sign(body)


def _layout_of(version: int) -> Layout:
    layout = LAYOUTS.get(version)
    if layout is None:
        raise ValueError(f"no wire version {version}")
    return layout


def encode_minted(
    key: SigningKey, claims: Claims, *, step: int, period: int, nonce: bytes, version: int = VERSION
) -> str:
    """A live code for one time step. The issuer mints a fresh one every period."""
    if len(nonce) != 3 or not 1 <= period <= 255:
        raise ValueError("nonce is 3 bytes and period 1..255 seconds")
    body = (
        HEADER.pack(version, Mode.MINTED, key.kid)
        + MINTED_FIELDS.pack(period, step, nonce)
        + _layout_of(version).claims(claims, Mode.MINTED)
    )
    return _text(_signed(key, body))


def encode_pass(
    key: SigningKey, claims: Claims, *, pass_id: bytes, period: int, not_before: int, hours: int,
    version: int = VERSION,
) -> bytes:
    """The signed offline pass (without trailer); the device appends step and TOTP code."""
    if len(pass_id) != 8 or not 1 <= period <= 255 or not 1 <= hours <= PASS_MAX_HOURS:
        raise ValueError("pass_id is 8 bytes, period 1..255 s, hours 1..72")
    body = HEADER.pack(version, Mode.PASS, key.kid) + PASS_FIELDS.pack(period, not_before, hours, pass_id)
    return _signed(key, body + _layout_of(version).claims(claims, Mode.PASS))


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
    version: int = VERSION,
) -> bytes:
    """A device-bound pass (without trailer): the issuer vouches for one phone's public key.

    ``pass_ref`` is the pass's own status-list index (the device's, so removing the
    phone revokes every pass it holds); ``device_key`` is the 33-byte field of
    keys.device_key.
    """
    layout = _layout_of(version)
    if not 1 <= period <= 255 or not 1 <= hours <= PASS_MAX_HOURS or not 0 <= pass_ref <= layout.max_ref:
        raise ValueError(f"period 1..255 s, hours 1..72, pass_ref within {layout.ref_size} bytes")
    if len(device_key) != 33:
        raise ValueError("the device key field is 33 bytes")
    ref = pass_ref.to_bytes(layout.ref_size, "big")
    fields = layout.device_fields.pack(period, not_before, hours, ref, device_key)
    body = HEADER.pack(version, Mode.DEVICE, key.kid) + fields + layout.claims(claims, Mode.DEVICE)
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


def encode_paper(
    key: SigningKey, claims: Claims, *, issued_at: int, not_after: int, version: int = VERSION
) -> str:
    """The static code printed on a stamped paper confirmation slip."""
    body = HEADER.pack(version, Mode.PAPER, key.kid) + PAPER_FIELDS.pack(issued_at, not_after)
    return _text(_signed(key, body + _layout_of(version).claims(claims, Mode.PAPER)))


_new_tuple = tuple.__new__
_PASS = int(Mode.PASS)
_DEVICE = int(Mode.DEVICE)
_TRAILER_SIZE = {_PASS: TRAILER.size, _DEVICE: DEVICE_TRAILER.size}
_BOUNDS = {version: layout.length_bounds for version, layout in LAYOUTS.items()}


class Unverified(NamedTuple):
    """A payload split into its parts, nothing verified yet.

    ``signed`` is what the signature covers; ``trailer`` is the PASS liveness
    trailer or the DEVICE trailer (empty otherwise); ``version`` names the
    layout (``LAYOUTS``) the rest is read with.
    """

    mode: int
    kid: bytes
    signed: bytes
    signature: bytes
    trailer: bytes
    version: int


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
    by_mode = _BOUNDS.get(version)
    if by_mode is None:
        raise UnsupportedVersion(str(version))
    bounds = by_mode.get(mode)
    if bounds is None:
        raise Malformed("mode")
    if not bounds[0] <= size <= bounds[1]:
        raise Malformed("length")
    trailer_size = _TRAILER_SIZE.get(mode)
    if trailer_size is not None:
        end = size - trailer_size
        cut = end - SIGNATURE_LENGTH
        return _new_tuple(Unverified, (mode, kid, raw[:cut], raw[cut:end], raw[end:], version))
    return _new_tuple(Unverified, (mode, kid, raw[:-SIGNATURE_LENGTH], raw[-SIGNATURE_LENGTH:], b"", version))


_HEADER_SIZE = HEADER.size
_unpack_header = HEADER.unpack_from
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
