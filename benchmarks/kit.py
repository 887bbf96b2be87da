"""What every benchmark shares: one issuer key, one credential, codes on demand.

The benchmarks compare rates measured in the same run, so they all verify the
same kind of payload: a MINTED code of 97 bytes (wire v2, the claims below, a name of
three Chinese characters), signed by one Ed25519 key. Codes are minted for the
wall clock, because the HTTP benchmarks run the real service, which reads it.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.totp import code_at, pass_secret
from keys.wire import PREFIX, Claims, encode_minted, encode_paper, encode_pass, pass_text
from keys.base45 import b45decode
from keys.keypair import SIGNATURE_LENGTH

PERIOD = 15
SEED = bytes(range(32))
ROTATION_SECRET = bytes(range(100, 132))
CLAIMS = Claims(ref=123_456, permit_type=1, district=6, valid_until=date(2031, 6, 30), id_tail="123X", name="张晓明")


@dataclass
class World:
    """An issuer key and its key set; ``now`` is read from ``clock`` when not given."""

    key: SigningKey = field(default_factory=lambda: SigningKey(SEED))
    clock: Any = time.time
    # Nonces from a counter, not at random: thousands of codes of one step and one
    # credential would otherwise share a nonce now and then, and be a replay.
    _nonces: Any = field(default_factory=lambda: itertools.count(int.from_bytes(os.urandom(2), "big") << 8))

    @property
    def keyset(self) -> KeySet:
        now = int(self.clock())
        return KeySet([KeyInfo(self.key.kid, self.key.public_key, now - 86400, now + 400 * 86400)], now)

    def minted(self, n: int, now: float | None = None, claims: Claims = CLAIMS) -> list[str]:
        """``n`` distinct live codes for the step of ``now`` (each can be used once)."""
        at = self.clock() if now is None else now
        step = int(at // PERIOD)
        key = self.key
        nonces = self._nonces
        return [
            encode_minted(key, claims, step=step, period=PERIOD, nonce=(next(nonces) & 0xFFFFFF).to_bytes(3, "big"))
            for _ in range(n)
        ]

    def offline(self, n: int, now: float | None = None, claims: Claims = CLAIMS) -> list[str]:
        """``n`` offline pass codes, each of its own pass, with the TOTP code of the step of ``now``."""
        at = self.clock() if now is None else now
        step = int(at // 30)
        out = []
        for _ in range(n):
            pass_id = os.urandom(8)
            signed = encode_pass(self.key, claims, pass_id=pass_id, period=30, not_before=int(at) - 3600, hours=24)
            out.append(pass_text(signed, step, code_at(pass_secret(ROTATION_SECRET, pass_id), step)))
        return out

    def paper(self, n: int, now: float | None = None, claims: Claims = CLAIMS) -> list[str]:
        at = int(self.clock() if now is None else now)
        return [encode_paper(self.key, claims, issued_at=at - 86400 - i, not_after=at + 100 * 86400) for i in range(n)]


def signed_parts(text: str) -> tuple[bytes, bytes]:
    """(signed bytes, signature) of a MINTED or PAPER code: what a bare Ed25519 verify checks."""
    raw = b45decode(text[len(PREFIX) :])
    return raw[:-SIGNATURE_LENGTH], raw[-SIGNATURE_LENGTH:]
