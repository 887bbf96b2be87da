"""Builds the wire format v2 test vectors in format-v2.json from fixed inputs.

The key, rotation secret, time and claims of the v1 vectors (tests/vectors/build.py),
with a credential index beyond v1's three bytes, and the holder's ``disclose``
choices. Each vector names the state to verify it in and the reason a verifier
must give, and for a valid code what a business is shown (``business_disclosed``:
the ``disclosed`` object of its verdict, absent when the code carries no
choice). Deterministic (Ed25519, fixed nonces and pass ids), so the committed
JSON pins the format; ``python -m tests.vectors.build_v2`` rewrites it, only
ever on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from keys.base45 import b45decode, b45encode
from keys.device_key import DeviceAlg, DeviceSigner
from keys.keypair import SigningKey
from keys.timekeeping import day_number, step_at
from keys.totp import code_at, pass_secret
from keys.wire import (
    CLAIMS_FIXED_V2,
    HEADER,
    MINTED_FIELDS,
    PREFIX,
    Claims,
    Mode,
    device_step_message,
    device_text,
    encode_device_pass,
    encode_minted,
    encode_paper,
    encode_pass,
    pack_id_tail,
    pass_text,
)

from .build import CLAIMS as V1_CLAIMS
from .build import NOW, PERIOD, ROTATION_SECRET, SEED, keyset

HERE = Path(__file__).parent
FILE = HERE / "format-v2.json"
#: an index beyond v1's 2^24: only a v2 code can carry it
WIDE_REF = 20_000_001
CLAIMS = V1_CLAIMS._replace(ref=WIDE_REF)
NAME, ID_TAIL, CHOSEN = 0x01, 0x02, 0x80
NONCE = bytes.fromhex("0badf0")
PASS_ID = bytes.fromhex("5a5a0102030405a5")
PASS_PERIOD = 30
DEVICE_SEED = bytes(range(32, 64))
PASS_REF = 30_000_002
LIST_SIZE = 1 << 25

HOW = """Verify each vector's "text" at "now" with the key set "keyset", skew_steps 1, a status list of
"list_size" entries in which the refs of "statuses" have that status and every other is 0, an empty replay
store (but the texts of "seen_before" presented first), and the rotation secret unless "rotation_secret" is
false. The verdict's reason must be "expect". For a VALID vector, a business (role business) is shown
"business_disclosed" as the verdict's "disclosed" object, or no "disclosed" at all when the key is absent."""


def _minted(claims: Claims, step: int, *, version: int = 2, nonce: bytes = NONCE) -> str:
    return encode_minted(SigningKey(SEED), claims, step=step, period=PERIOD, nonce=nonce, version=version)


def _raw_minted(claims: Claims, step: int, *, name: bytes, disclose: int, nonce: bytes = b"\x00\x01\x00") -> str:
    """A signed v2 live code with any ``disclose`` byte and name bytes (for the negative vectors)."""
    key = SigningKey(SEED)
    fixed = CLAIMS_FIXED_V2.pack(claims.ref, claims.permit_type << 5 | claims.district, day_number(claims.valid_until),
                                 pack_id_tail(claims.id_tail), disclose)
    body = HEADER.pack(2, Mode.MINTED, key.kid) + MINTED_FIELDS.pack(PERIOD, step, nonce) + fixed + name
    return PREFIX + b45encode(body + key.sign(body))


def _with_byte(text: str, offset: int, value: int) -> str:
    raw = bytearray(b45decode(text[len(PREFIX):]))
    raw[offset] = value
    return PREFIX + b45encode(bytes(raw))


def _device(claims: Claims, signer: DeviceSigner) -> tuple[bytes, str]:
    signed = encode_device_pass(SigningKey(SEED), claims, period=PASS_PERIOD, not_before=NOW - 3600, hours=24,
                                pass_ref=PASS_REF, device_key=signer.field)
    step = step_at(NOW, PASS_PERIOD)
    return signed, device_text(signed, step, signer.sign(device_step_message(signed, step)))


def vectors() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    step = step_at(NOW, PERIOD)

    def add(name: str, text: str, expect: str, **state: Any) -> None:
        out.append({"name": name, "text": text, "hex": b45decode(text[len(PREFIX):]).hex(), "expect": expect,
                    **state})

    both = _minted(CLAIMS._replace(disclose=CHOSEN | NAME | ID_TAIL), step)
    add("MINTED, name and ID tail disclosed", both, "VALID", mode="MINTED", step=step, nonce_hex=NONCE.hex(),
        disclose=CHOSEN | NAME | ID_TAIL, business_disclosed={"name": "张伟", "id_tail": "123X"})
    add("MINTED, name only", _minted(CLAIMS._replace(disclose=CHOSEN | NAME), step, nonce=b"\x00\x00\x01"),
        "VALID", disclose=CHOSEN | NAME, business_disclosed={"name": "张伟"})
    add("MINTED, validity only", _minted(CLAIMS._replace(disclose=CHOSEN), step, nonce=b"\x00\x00\x02"),
        "VALID", disclose=CHOSEN, business_disclosed={})
    add("MINTED, no choice", _minted(CLAIMS, step, nonce=b"\x00\x00\x03"), "VALID", disclose=0)
    add("MINTED shown twice", both, "REPLAYED", seen_before=[both])
    add("MINTED a minute later", both, "STALE", now=NOW + 60)
    add("MINTED, the wide index revoked", both, "REVOKED", statuses={str(WIDE_REF): "REVOKED"})
    add("MINTED, an index beyond the list", _minted(CLAIMS._replace(ref=LIST_SIZE + 7), step), "REVOKED")
    signed_pass = encode_pass(SigningKey(SEED), CLAIMS, pass_id=PASS_ID, period=PASS_PERIOD, not_before=NOW - 3600,
                              hours=24)
    pass_step = step_at(NOW, PASS_PERIOD)
    totp = code_at(pass_secret(ROTATION_SECRET, PASS_ID), pass_step)
    offline = pass_text(signed_pass, pass_step, totp)
    add("PASS", offline, "VALID", mode="PASS", step=pass_step, totp=totp, pass_id_hex=PASS_ID.hex(), disclose=0)
    add("PASS without the rotation secret", offline, "LIVENESS_UNVERIFIABLE", rotation_secret=False)
    paper = encode_paper(SigningKey(SEED), CLAIMS, issued_at=NOW - 86400, not_after=NOW + 200 * 86400)
    add("PAPER", paper, "VALID", mode="PAPER", issued_at=NOW - 86400, not_after=NOW + 200 * 86400, disclose=0)
    signer = DeviceSigner(DeviceAlg.ED25519, DEVICE_SEED)
    device_pass, device = _device(CLAIMS, signer)
    add("DEVICE (Ed25519), four-byte pass_ref", device, "VALID", mode="DEVICE", pass_ref=PASS_REF,
        device_key_hex=signer.field.hex(), pass_hex=device_pass.hex(), disclose=0)
    add("DEVICE, the phone removed (pass_ref revoked)", device, "REVOKED", statuses={str(PASS_REF): "REVOKED"})
    add("a v1 code beside them", _minted(V1_CLAIMS, step, version=1, nonce=b"\x00\x00\x04"), "VALID", version=1)
    # negative: the disclose byte has one form per meaning, the name its budget, the version is signed
    fixed = 6 + MINTED_FIELDS.size + 9  # where the disclose byte sits in a MINTED v2 code
    add("disclose: a reserved bit", _raw_minted(CLAIMS, step, name="张伟".encode(), disclose=CHOSEN | 0x04),
        "MALFORMED")
    add("disclose: field bits without the chosen marker", _raw_minted(CLAIMS, step, name=b"A", disclose=NAME),
        "MALFORMED")
    add("disclose changed after signing", _with_byte(both, fixed, CHOSEN), "BAD_SIGNATURE")
    add("MINTED name of 13 bytes (the v2 budget is 12)", _raw_minted(CLAIMS, step, name=b"A" * 13, disclose=0),
        "MALFORMED")
    add("MINTED name of 12 bytes", _raw_minted(CLAIMS, step, name="张伟欧阳".encode(), disclose=0), "VALID")
    short = b45decode(both[len(PREFIX):])
    add("shorter than v2's MINTED minimum (87 bytes)", PREFIX + b45encode(short[:87]), "MALFORMED")
    add("a v2 code relabelled v1", _with_byte(both, 0, 1), "BAD_SIGNATURE")
    add("version 3", _with_byte(both, 0, 3), "UNSUPPORTED_VERSION")
    return out


def build() -> dict[str, Any]:
    key = SigningKey(SEED)
    return {
        "about": "Wire format v2 test vectors, positive and negative; see docs/format.md and the field 'how'",
        "how": HOW,
        "seed_hex": SEED.hex(),
        "kid_hex": key.kid.hex(),
        "rotation_secret_hex": ROTATION_SECRET.hex(),
        "device_seed_hex": DEVICE_SEED.hex(),
        "now": NOW,
        "period": PERIOD,
        "list_size": LIST_SIZE,
        "keyset": keyset().to_json(),
        "claims": {
            "ref": CLAIMS.ref,
            "permit_type": CLAIMS.permit_type,
            "district": CLAIMS.district,
            "valid_until": CLAIMS.valid_until.isoformat(),
            "id_tail": CLAIMS.id_tail,
            "name": CLAIMS.name,
        },
        "vectors": vectors(),
    }


if __name__ == "__main__":
    FILE.write_text(json.dumps(build(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
