"""Builds the device-bound mode's test vectors in device-v1.json from fixed inputs.

Positive vectors for both device key types and negative ones, each with the
reason a verifier must answer and the state it answers in (time, status list,
replay store). Ed25519 and deterministic ECDSA (RFC 6979) signatures make the
output reproducible, so the committed JSON pins the format; ``python -m
tests.vectors.device`` rewrites it, only ever on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from keys.timekeeping import step_at
from keys.base45 import b45decode, b45encode
from keys.device_key import DeviceAlg, DeviceSigner
from keys.keypair import SigningKey
from keys.wire import PREFIX, device_step_message, device_text, encode_device_pass
from tests.vectors.build import CLAIMS, NOW, SEED, keyset

HERE = Path(__file__).parent
FILE = HERE / "device-v1.json"
PERIOD = 30
NOT_BEFORE = NOW - 3600
HOURS = 24
PASS_REF = 90_001
ED25519_SECRET = bytes(range(32, 64))
P256_SECRET = bytes(range(64, 96))
OTHER_SECRET = bytes(range(96, 128))


def signers() -> dict[str, DeviceSigner]:
    return {
        "Ed25519": DeviceSigner(DeviceAlg.ED25519, ED25519_SECRET),
        "P-256": DeviceSigner(DeviceAlg.P256, P256_SECRET),
    }


def device_pass(
    signer: DeviceSigner, *, issuer: SigningKey | None = None, not_before: int = NOT_BEFORE, pass_ref: int = PASS_REF
) -> bytes:
    return encode_device_pass(
        issuer or SigningKey(SEED), CLAIMS, period=PERIOD, not_before=not_before, hours=HOURS,
        pass_ref=pass_ref, device_key=signer.field, version=1,
    )


def shown(signer: DeviceSigner, signed_pass: bytes, step: int, *, step_shown: int | None = None) -> str:
    """The text a phone shows at ``step`` (``step_shown`` puts another step in the trailer)."""
    signature = signer.sign(device_step_message(signed_pass, step))
    return device_text(signed_pass, step if step_shown is None else step_shown, signature)


def _flip(text: str, offset: int) -> str:
    raw = bytearray(b45decode(text[len(PREFIX) :]))
    raw[offset] ^= 0x01
    return PREFIX + b45encode(bytes(raw))


def build() -> dict[str, Any]:
    step = step_at(NOW, PERIOD)
    by_alg = signers()
    other = DeviceSigner(DeviceAlg.ED25519, OTHER_SECRET)
    vectors: list[dict[str, Any]] = []

    def entry(name: str, text: str, expect: str, **state: Any) -> None:
        vectors.append({"name": name, "text": text, "hex": b45decode(text[len(PREFIX) :]).hex(),
                        "expect": expect, **state})

    for alg, signer in by_alg.items():
        signed_pass = device_pass(signer)
        good = shown(signer, signed_pass, step)
        entry(f"{alg}: live step", good, "VALID", alg=alg, step=step,
              device_key_hex=signer.field.hex(), pass_hex=signed_pass.hex())
        entry(f"{alg}: the same step shown twice", good, "REPLAYED", presented_before=True)
        entry(f"{alg}: one step late, within the skew", shown(signer, signed_pass, step - 1), "VALID")
    ed = by_alg["Ed25519"]
    signed_pass = device_pass(ed)
    good = shown(ed, signed_pass, step)
    entry("the pass with a step signed by another phone's key", shown(other, signed_pass, step),
          "BAD_DEVICE_SIGNATURE")
    entry("a signed step moved to another step", shown(ed, signed_pass, step - 1, step_shown=step),
          "BAD_DEVICE_SIGNATURE")
    entry("a device signature with one bit flipped", _flip(good, len(signed_pass) + 2 + 10),
          "BAD_DEVICE_SIGNATURE")
    entry("a device key byte changed (issuer signature no longer matches)", _flip(good, 6 + 10 + 5),
          "BAD_SIGNATURE")
    entry("a screenshot three steps old", shown(ed, signed_pass, step - 3), "STALE")
    entry("a step from the future", shown(ed, signed_pass, step + 3), "NOT_YET_VALID")
    expired = device_pass(ed, not_before=NOW - HOURS * 3600 - 60)
    entry("a pass past its 24 hours", shown(ed, expired, step), "STALE")
    entry("the phone removed: the pass's own index revoked", good, "REVOKED", revoked=[PASS_REF])
    entry("the credential suspended", good, "SUSPENDED", suspended=[CLAIMS.ref])
    entry("the credential revoked", good, "REVOKED", revoked=[CLAIMS.ref])
    raw = b45decode(good[len(PREFIX) :])
    entry("truncated by one byte (the step is read from the wrong bytes)", PREFIX + b45encode(raw[:-1]), "STALE")
    entry("shorter than the mode's minimum", PREFIX + b45encode(raw[:185]), "MALFORMED")
    entry("longer than the mode's maximum", PREFIX + b45encode(raw + bytes(13)), "MALFORMED")
    stranger = SigningKey(bytes(range(1, 33)))
    entry("a pass signed by a key not in the key set",
          shown(ed, device_pass(ed, issuer=stranger), step), "UNKNOWN_KEY")
    return {
        "about": "Device-bound mode (DEVICE, 0x04) test vectors; see docs/format.md",
        "issuer_seed_hex": SEED.hex(),
        "ed25519_device_seed_hex": ED25519_SECRET.hex(),
        "p256_device_scalar_hex": P256_SECRET.hex(),
        "other_device_seed_hex": OTHER_SECRET.hex(),
        "now": NOW,
        "period": PERIOD,
        "not_before": NOT_BEFORE,
        "hours": HOURS,
        "pass_ref": PASS_REF,
        "claims_ref": CLAIMS.ref,
        "keyset": keyset().to_json(),
        "vectors": vectors,
    }


if __name__ == "__main__":
    FILE.write_text(json.dumps(build(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
