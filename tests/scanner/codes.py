"""Codes, key sets and status lists for the scanner tests, made with keys/ itself."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from keys.base45 import b45encode
from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.statuslist import StatusList
from keys.wire import (
    CLAIMS_FIXED,
    CLAIMS_FIXED_V2,
    HEADER,
    MINTED_FIELDS,
    PREFIX,
    VERSION,
    VERSION_1,
    Claims,
    Mode,
    encode_minted,
    encode_paper,
    encode_pass,
    pack_id_tail,
    pass_text,
)

PERIOD = 15
STATUS_SIZE = 1 << 17
YEAR_S = 366 * 86400
#: a fixed far validity: the browser runs on the real clock, so no date depends on today's
VALID_UNTIL = date(2099, 12, 31)
#: nonces and pass ids from a counter, so every run makes the same codes
_SERIAL = itertools.count(1)


def _serial(size: int) -> bytes:
    return next(_SERIAL).to_bytes(size, "big")


def claims(
    *,
    name: str = "张伟",
    ref: int = 7,
    valid_until: date | None = None,
    district: int = 6,
    id_tail: str = "123X",
    permit_type: int = 1,
) -> Claims:
    return Claims(
        ref=ref,
        permit_type=permit_type,
        district=district,
        valid_until=valid_until or VALID_UNTIL,
        id_tail=id_tail,
        name=name,
    )


@dataclass
class Issuer:
    """A signing key, its key set, and a status list signed with it."""

    now: float
    key: SigningKey = field(default_factory=SigningKey.generate)
    statuses: dict[int, int] = field(default_factory=dict)

    def keyset(self, *extra: KeyInfo) -> KeySet:
        info = KeyInfo(self.key.kid, self.key.public_key, int(self.now) - YEAR_S, int(self.now) + YEAR_S)
        return KeySet([info, *extra], issued_at=int(self.now))

    def status_list(self, issued_at: float | None = None, ttl: int = 300) -> StatusList:
        at = int(self.now if issued_at is None else issued_at)
        return StatusList.build(self.statuses.items(), size=STATUS_SIZE, issued_at=at, ttl=ttl)

    def status_document(self, issued_at: float | None = None) -> dict[str, Any]:
        return self.status_list(issued_at).sign(self.key)

    def minted(
        self, c: Claims, *, at: float | None = None, step: int | None = None, period: int = PERIOD, version: int = VERSION
    ) -> str:
        """A live code for the step at ``at``; a longer ``period`` keeps it acceptable longer (slow browser flows)."""
        when = self.now if at is None else at
        return encode_minted(
            self.key, c, step=int(when // period) if step is None else step, period=period, nonce=_serial(3),
            version=version,
        )

    def paper(self, c: Claims, *, issued_at: float | None = None, days: int = 30, version: int = VERSION) -> str:
        start = int(self.now if issued_at is None else issued_at)
        return encode_paper(self.key, c, issued_at=start, not_after=start + days * 86400, version=version)

    def pass_code(self, c: Claims, *, not_before: float | None = None, hours: int = 72, at: float | None = None) -> str:
        start = int(self.now if not_before is None else not_before)
        signed = encode_pass(self.key, c, pass_id=_serial(8), period=PERIOD, not_before=start, hours=hours)
        when = self.now if at is None else at
        return pass_text(signed, int(when // PERIOD), 123456)

    def raw_minted(self, claims_bytes: bytes, *, step: int, period: int = PERIOD, version: int = VERSION_1) -> str:
        """A signed v1 live code around arbitrary claim bytes (to build malformed payloads)."""
        body = (
            HEADER.pack(version, Mode.MINTED, self.key.kid)
            + MINTED_FIELDS.pack(period, step, _serial(3))
            + claims_bytes
        )
        return PREFIX + b45encode(body + self.key.sign(body))


def raw_claims_v2(c: Claims, name_bytes: bytes, *, disclose: int = 0) -> bytes:
    """v2 claim bytes with any name bytes and any ``disclose`` byte."""
    days = c.valid_until.toordinal() - date(1970, 1, 1).toordinal()
    return CLAIMS_FIXED_V2.pack(c.ref, c.permit_type << 5 | c.district, days, pack_id_tail(c.id_tail), disclose) + name_bytes


def raw_claims(c: Claims, name_bytes: bytes, *, id_tail: int | None = None) -> bytes:
    """Claim bytes with any name bytes (and optionally a raw packed ID tail)."""
    days = c.valid_until.toordinal() - date(1970, 1, 1).toordinal()
    tail = pack_id_tail(c.id_tail) if id_tail is None else id_tail
    return CLAIMS_FIXED.pack(c.ref >> 8, c.ref & 0xFF, c.permit_type << 5 | c.district, days, tail) + name_bytes


def tamper(text: str, index_from_end: int) -> str:
    """Flip one bit of the decoded payload, counted from its end, and re-encode."""
    from keys.base45 import b45decode

    raw = bytearray(b45decode(text[len(PREFIX):]))
    raw[len(raw) - index_from_end] ^= 0x01
    return PREFIX + b45encode(bytes(raw))
