"""A small world for pipeline tests: one issuer key, a clock, codes on demand."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.totp import code_at, pass_secret
from keys.wire import Claims, encode_minted, encode_paper, encode_pass, pass_text
from verifier.core import Options
from verifier.replay import MemoryReplayStore
from verifier.status import MemoryStatusSource

NOW = 1_795_400_000.0  # 2026-11-23T02:13:20Z
PERIOD = 15
ROTATION_SECRET = bytes(range(32))
CLAIMS = Claims(ref=4242, permit_type=1, district=6, valid_until=date(2027, 6, 30), id_tail="123X", name="张伟")


@dataclass
class World:
    key: SigningKey = field(default_factory=lambda: SigningKey(bytes([7]) * 32))
    status: MemoryStatusSource = field(default_factory=MemoryStatusSource)
    replay: MemoryReplayStore = field(default_factory=MemoryReplayStore)
    options: Options = field(default_factory=lambda: Options(rotation_secret=ROTATION_SECRET))

    @property
    def keyset(self) -> KeySet:
        return KeySet([KeyInfo(self.key.kid, self.key.public_key, int(NOW) - 86400, int(NOW) + 400 * 86400)])

    def minted(self, at: float = NOW, claims: Claims = CLAIMS, period: int = PERIOD) -> str:
        return encode_minted(self.key, claims, step=int(at // period), period=period, nonce=os.urandom(3))

    def offline(self, at: float = NOW, claims: Claims = CLAIMS, *, pass_id: bytes = b"P" * 8, code: int | None = None) -> str:
        signed = encode_pass(self.key, claims, pass_id=pass_id, period=30, not_before=int(NOW) - 3600, hours=24)
        step = int(at // 30)
        if code is None:
            code = code_at(pass_secret(ROTATION_SECRET, pass_id), step)
        return pass_text(signed, step, code)

    def paper(self, claims: Claims = CLAIMS, *, not_after: float = NOW + 100 * 86400) -> str:
        return encode_paper(self.key, claims, issued_at=int(NOW) - 86400, not_after=int(not_after))
