"""Builds the wire-format test vectors in format-v1.json from fixed inputs.

Ed25519 signatures are deterministic, so the same seed and fields always give the
same bytes: the committed JSON pins the format, and ``python -m tests.vectors.build``
rewrites it (only ever on purpose, with a format version change).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from keys.timekeeping import step_at
from keys.base45 import b45decode
from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.totp import code_at, pass_secret
from keys.wire import PREFIX, Claims, encode_minted, encode_paper, encode_pass, pass_text

HERE = Path(__file__).parent
SEED = bytes(range(32))
ROTATION_SECRET = bytes(range(100, 132))
NOW = 1_795_400_000  # 2026-11-23T02:13:20Z
PERIOD = 15
CLAIMS = Claims(
    ref=70_001,
    permit_type=1,
    district=6,
    valid_until=date(2027, 6, 30),
    id_tail="123X",
    name="张伟",
)


def keyset() -> KeySet:
    key = SigningKey(SEED)
    return KeySet([KeyInfo(key.kid, key.public_key, NOW - 86400, NOW + 400 * 86400)], NOW)


def build() -> dict[str, object]:
    key = SigningKey(SEED)
    step = step_at(NOW, PERIOD)
    minted = encode_minted(key, CLAIMS, step=step, period=PERIOD, nonce=bytes.fromhex("0badf0"), version=1)
    pass_id = bytes.fromhex("5a5a0102030405a5")
    signed_pass = encode_pass(key, CLAIMS, pass_id=pass_id, period=30, not_before=NOW - 3600, hours=24, version=1)
    pass_step = NOW // 30
    totp = code_at(pass_secret(ROTATION_SECRET, pass_id), pass_step)
    offline = pass_text(signed_pass, pass_step, totp)
    paper = encode_paper(key, CLAIMS, issued_at=NOW - 86400, not_after=NOW + 200 * 86400, version=1)

    def entry(text: str, **fields: object) -> dict[str, object]:
        return {"text": text, "hex": b45decode(text[len(PREFIX) :]).hex(), **fields}

    return {
        "about": "Wire format v1 test vectors; see docs/format.md",
        "seed_hex": SEED.hex(),
        "public_key_hex": key.public_key.hex(),
        "kid_hex": key.kid.hex(),
        "rotation_secret_hex": ROTATION_SECRET.hex(),
        "now": NOW,
        "keyset": keyset().to_json(),
        "claims": {
            "ref": CLAIMS.ref,
            "permit_type": CLAIMS.permit_type,
            "district": CLAIMS.district,
            "valid_until": CLAIMS.valid_until.isoformat(),
            "id_tail": CLAIMS.id_tail,
            "name": CLAIMS.name,
        },
        "vectors": [
            entry(minted, mode="MINTED", period=PERIOD, step=step, nonce_hex="0badf0", expect="VALID"),
            entry(
                offline,
                mode="PASS",
                period=30,
                not_before=NOW - 3600,
                hours=24,
                pass_id_hex=pass_id.hex(),
                step=pass_step,
                totp=totp,
                pass_secret_hex=pass_secret(ROTATION_SECRET, pass_id).hex(),
                expect="VALID",
                expect_without_rotation_secret="LIVENESS_UNVERIFIABLE",
            ),
            entry(paper, mode="PAPER", issued_at=NOW - 86400, not_after=NOW + 200 * 86400, expect="VALID"),
        ],
    }


if __name__ == "__main__":
    (HERE / "format-v1.json").write_text(json.dumps(build(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
