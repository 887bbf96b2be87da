"""Base45 (RFC 9285), so a QR code can carry binary in its dense alphanumeric mode.

A verifier decodes every scan, and a Python loop per character would cost more
than the rest of parsing together, so decoding is done with whole-string integer
arithmetic: each group of three characters (c0, c1, c2) becomes one 24-bit lane of
a big integer and ``c0 + 45*c1 + 2025*c2`` is computed for all lanes at once.
The decoder is strict: only canonical encodings are accepted (every group below
65536, a trailing pair below 256), so one payload has exactly one text form.
"""

from __future__ import annotations

import struct

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

_VALUE = bytearray([255] * 256)
for _i, _char in enumerate(ALPHABET):
    _VALUE[ord(_char)] = _i
_VALUES = bytes(_VALUE)

_ENC2: list[str] = []
for _n in range(65536):
    _c, _rest = divmod(_n, 45 * 45)
    _e, _d = divmod(_rest, 45)
    _ENC2.append(ALPHABET[_d] + ALPHABET[_e] + ALPHABET[_c])
_ENC1 = [ALPHABET[n % 45] + ALPHABET[n // 45] for n in range(256)]

#: by width in characters (a multiple of 3): masks of every lane's low and high byte.
#: Only widths a real code can have are kept, so odd lengths sent by anyone cannot grow it.
_MASKS: dict[int, tuple[int, int]] = {}
_MASKS_CACHED_WIDTH = 384


def _masks(width: int) -> tuple[int, int]:
    groups = width // 3
    low = int.from_bytes(b"\0\0\xff" * groups, "big")
    if width > _MASKS_CACHED_WIDTH:
        return low, low << 16
    return _MASKS.setdefault(width, (low, low << 16))


class Base45Error(ValueError):
    """The text is not canonical base45."""


def b45encode(data: bytes) -> str:
    """Encode bytes; two bytes become three characters, a trailing byte two."""
    n = len(data)
    head = "".join(map(_ENC2.__getitem__, struct.unpack(f">{n // 2}H", data[: n - n % 2])))
    return head + _ENC1[data[-1]] if n % 2 else head


def b45decode(text: str) -> bytes:
    """Decode canonical base45; Base45Error for anything else."""
    try:
        digits = text.encode("ascii").translate(_VALUES)
    except UnicodeEncodeError:
        raise Base45Error("non-ASCII character") from None
    if 255 in digits:
        raise Base45Error("character outside the base45 alphabet")
    n = len(digits)
    tail = n % 3
    if tail == 1:
        raise Base45Error("bad length")
    width = n - tail
    low, high = _MASKS.get(width) or _masks(width)
    lanes = int.from_bytes(digits[:width] if tail else digits, "big")
    total = ((lanes >> 16) & low) + 45 * ((lanes >> 8) & low) + 2025 * (lanes & low)
    if total & high:
        raise Base45Error("group value above 65535")
    # Each lane is now 0x00 hi lo: dropping every third byte leaves the payload.
    out = bytearray(total.to_bytes(width, "big"))
    del out[0::3]
    if tail:
        last = digits[-2] + 45 * digits[-1]
        if last > 255:
            raise Base45Error("trailing value above 255")
        out.append(last)
    return bytes(out)
