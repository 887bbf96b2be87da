"""Liveness for offline passes: a TOTP code per time step, from a per-pass secret.

The per-pass secret is derived with HKDF-SHA256 from the issuer's rotation secret
and the pass id, so the issuer stores no secret per pass and any verifier given the
rotation secret can recompute it. A verifier without the rotation secret can still
check the pass signature, but cannot tell a live screen from a recording: it must
answer LIVENESS_UNVERIFIABLE, never VALID.

Codes follow RFC 6238 with HMAC-SHA1 and six digits, with the time step counter
computed by the caller (``keys.timekeeping.step_at``), which is what the holder
page computes with WebCrypto.
"""

from __future__ import annotations

import hmac
import struct
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HKDF_SALT = b"permit-pass-totp/1"
SECRET_LENGTH = 20
DIGITS = 6


@lru_cache(maxsize=65536)
def pass_secret(rotation_secret: bytes, pass_id: bytes) -> bytes:
    """The 20-byte TOTP secret of one pass.

    Cached: a pass is shown every period for up to 72 hours, and the derivation
    costs more than the code check itself.
    """
    if len(rotation_secret) < 16:
        raise ValueError("the rotation secret must be at least 16 bytes")
    return HKDF(hashes.SHA256(), SECRET_LENGTH, HKDF_SALT, pass_id).derive(rotation_secret)


_COUNTER = struct.Struct(">Q")
_MODULUS = 10**DIGITS


def code_at(secret: bytes, step: int) -> int:
    """The code for time step ``step``: RFC 4226 HOTP of the step counter, six digits.

    Written out rather than taken from an OTP library: the verifier checks a code
    on every offline scan, and a library that decodes base32 and builds an object
    per call costs more than the HMAC itself.
    """
    digest = hmac.digest(secret, _COUNTER.pack(step), "sha1")
    offset = digest[19] & 0x0F
    return (int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF) % _MODULUS


def code_matches(secret: bytes, step: int, code: int) -> bool:
    """Constant-time check of a presented code for one step."""
    expected = code_at(secret, step)
    return hmac.compare_digest(expected.to_bytes(4, "big"), code.to_bytes(4, "big"))
