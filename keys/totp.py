"""Liveness for offline passes: a TOTP code per time step, from a per-pass secret.

The per-pass secret is derived with HKDF-SHA256 from the issuer's rotation secret
and the pass id, so the issuer stores no secret per pass and any verifier given the
rotation secret can recompute it. A verifier without the rotation secret can still
check the pass signature, but cannot tell a live screen from a recording: it must
answer LIVENESS_UNVERIFIABLE, never VALID.

Codes follow RFC 6238 with HMAC-SHA1 and six digits, with the time step counter
computed by the caller (step = floor(unix_time / period)), which is what the
holder page computes with WebCrypto.
"""

from __future__ import annotations

import base64
import hmac
import struct
from functools import lru_cache

import pyotp
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


def _otp(secret: bytes) -> pyotp.OTP:
    return pyotp.OTP(base64.b32encode(secret).decode("ascii"), digits=DIGITS)


def code_at(secret: bytes, step: int) -> int:
    """The code for time step ``step``."""
    return int(_otp(secret).generate_otp(step))


_COUNTER = struct.Struct(">Q")


def _hotp(secret: bytes, counter: int) -> int:
    """RFC 4226 HOTP, six digits: the same value as pyotp, without its per-call setup.

    The verifier checks a code on every offline scan; pyotp decodes base32 and
    builds an object per call, which cost more than the HMAC.
    """
    digest = hmac.digest(secret, _COUNTER.pack(counter), "sha1")
    offset = digest[19] & 0x0F
    return (int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF) % 1_000_000


def code_matches(secret: bytes, step: int, code: int) -> bool:
    """Constant-time check of a presented code for one step."""
    expected = _hotp(secret, step)
    return hmac.compare_digest(expected.to_bytes(4, "big"), code.to_bytes(4, "big"))
