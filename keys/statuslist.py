"""The signed status list: revocation and suspension that verifiers can check offline.

Every (credential, version) owns one index in a large list; the list holds two bits
per index, a ``keys.vocabulary.StatusCode`` (0 active, 1 suspended, 2 revoked,
3 superseded: an earlier version or a voided slip). Every verifier downloads
the whole list, so no one learns which credential was checked, and the list is
large (at least 2^17 entries) so that one index says little about who holds it.

Document (JSON)::

    {"format": "permit-status/2", "kid": hex, "issued_at": int, "ttl": int,
     "size": int, "bits": 2, "list": base64url(zlib(bitstring)), "signature": base64url}

The signature is Ed25519 by the issuer key ``kid`` over the UTF-8 bytes of
``"{format}\\n{kid}\\n{issued_at}\\n{ttl}\\n{size}\\n{bits}\\n"`` followed by
the compressed bytes; it is checked before anything is decompressed, and the
decompressed size is bounded by ``size``, so a hostile list cannot exhaust memory.
Entry ``i`` is bits ``2i..2i+1`` counted from the most significant bit of byte 0.

Two formats, the same in all but their name and largest size: ``permit-status/1``
holds at most 2^24 entries (wire v1's three-byte ``ref``), ``permit-status/2`` at
most 2^28 (wire v2's ``ref`` is four bytes; 2^28 keeps a hostile document's
bitstring within 64 MiB while holding 134 million credential versions at half
full). The issuer publishes version 2; a verifier reads both, so a list cached or
relayed from before the change still serves until it is replaced.
"""

from __future__ import annotations

import binascii
import json
import zlib
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .keypair import SigningKey, verify_signature
from .keyset import KeySet, b64u, unb64u
from .vocabulary import StatusCode

FORMAT_V1 = "permit-status/1"
FORMAT_V2 = "permit-status/2"
#: the format the issuer publishes
FORMAT = FORMAT_V2
BITS = 2
#: the status codes by their short names, as the list's readers and writers spell them
ACTIVE, SUSPENDED, REVOKED, SUPERSEDED = StatusCode.ACTIVE, StatusCode.SUSPENDED, StatusCode.REVOKED, StatusCode.SUPERSEDED
MIN_SIZE = 1 << 17
#: zlib's default level: at 8 million credentials with 5 % not active (docs/benchmarks.md) level 9
#: takes ten times as long for a list 12 % smaller, and the issuer rebuilds the list on every change
COMPRESSION_LEVEL = 6
#: the largest list each format holds
MAX_SIZES: dict[str, int] = {FORMAT_V1: 1 << 24, FORMAT_V2: 1 << 28}
MAX_SIZE = MAX_SIZES[FORMAT]


class StatusListError(ValueError):
    """The status list is not usable (malformed, unsigned, unknown key)."""


class StatusListKeyUnknown(StatusListError):
    """Signed by a key the key set does not hold (or not at this time): a newer key set may know it."""


def _signing_input(fmt: str, kid: str, issued_at: int, ttl: int, size: int, compressed: bytes) -> bytes:
    return f"{fmt}\n{kid}\n{issued_at}\n{ttl}\n{size}\n{BITS}\n".encode() + compressed


@dataclass(frozen=True)
class StatusList:
    """A verified, decompressed status list."""

    issued_at: int
    ttl: int
    size: int
    bits: bytes

    def status(self, index: int) -> int:
        if not 0 <= index < self.size:
            return REVOKED  # an index the issuer never allocated cannot be trusted
        return (self.bits[index >> 2] >> (6 - 2 * (index & 3))) & 3

    @classmethod
    def build(cls, entries: Iterable[tuple[int, int]], *, size: int, issued_at: int, ttl: int) -> "StatusList":
        """From (index, status) pairs for every non-active index."""
        if not MIN_SIZE <= size <= MAX_SIZE or size % 4:
            raise ValueError("size must be a multiple of 4 between 2^17 and 2^28")
        buf = bytearray(size // 4)
        for index, status in entries:
            if not 0 <= index < size or status not in (ACTIVE, SUSPENDED, REVOKED, SUPERSEDED):
                raise ValueError(f"bad status entry {index}:{status}")
            shift = 6 - 2 * (index & 3)
            buf[index >> 2] = (buf[index >> 2] & ~(3 << shift)) | (status << shift)
        return cls(issued_at, ttl, size, bytes(buf))

    def sign(self, key: SigningKey, fmt: str = FORMAT) -> dict[str, Any]:
        """The signed document in ``fmt`` (``permit-status/1`` only for a list within its size)."""
        if self.size > MAX_SIZES[fmt]:
            raise ValueError(f"{self.size} entries do not fit {fmt}")
        compressed = zlib.compress(self.bits, COMPRESSION_LEVEL)
        kid = key.kid.hex()
        signature = key.sign(_signing_input(fmt, kid, self.issued_at, self.ttl, self.size, compressed))
        return {
            "format": fmt,
            "kid": kid,
            "issued_at": self.issued_at,
            "ttl": self.ttl,
            "size": self.size,
            "bits": BITS,
            "list": b64u(compressed),
            "signature": b64u(signature),
        }

    @classmethod
    def verify(cls, document: str | bytes | Mapping[str, Any], keyset: KeySet, now: float) -> "StatusList":
        """Check the signature with a key from ``keyset`` valid at ``now``, then decompress."""
        try:
            doc = json.loads(document) if isinstance(document, (str, bytes)) else document
            fmt = doc.get("format") if isinstance(doc, Mapping) else None
            if fmt not in MAX_SIZES or doc.get("bits") != BITS:
                raise StatusListError(f"not a {FORMAT_V1} or {FORMAT_V2} document")
            kid_hex, issued_at, ttl, size = doc["kid"], doc["issued_at"], doc["ttl"], doc["size"]
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (issued_at, ttl, size)):
                raise StatusListError("issued_at, ttl and size must be integers")
            if not MIN_SIZE <= size <= MAX_SIZES[fmt] or size % 4 or ttl < 0:
                raise StatusListError("size or ttl out of range")
            compressed = unb64u(doc["list"])
            signature = unb64u(doc["signature"])
            key = keyset.get(bytes.fromhex(kid_hex))
        except StatusListError:
            raise
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise StatusListError("malformed status list") from None
        if key is None or not key.valid_at(now):
            raise StatusListKeyUnknown("status list signed by an unknown or expired key")
        if not verify_signature(key.public_key, signature, _signing_input(fmt, kid_hex, issued_at, ttl, size, compressed)):
            raise StatusListError("bad status list signature")
        inflater = zlib.decompressobj()
        try:
            bits = inflater.decompress(compressed, size // 4 + 1)
        except zlib.error:
            raise StatusListError("status list does not decompress") from None
        if len(bits) != size // 4 or inflater.unconsumed_tail:
            raise StatusListError("status list has the wrong length")
        return cls(issued_at, ttl, size, bits)
