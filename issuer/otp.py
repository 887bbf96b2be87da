"""One-time codes (TOTP, RFC 6238) as a second factor, for applicants and officers alike.

A code is accepted for the current 30-second step or one step either side (phone
clocks drift), compared in constant time, and only for a step later than the last
one used: the caller stores the returned step, so a code read over a shoulder
cannot be used again. The codes are keys.totp's (the one HOTP of the project);
the secrets are base32 text, as authenticator apps take them.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from datetime import datetime

from keys.timekeeping import step_at
from keys.totp import DIGITS, code_at

__all__ = ["TOTP_PERIOD", "totp_step"]

TOTP_PERIOD = 30


def _secret_bytes(secret: str) -> bytes | None:
    text = secret.strip().replace(" ", "").upper()
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None


def totp_step(secret: str, code: str, now: datetime, *, last_step: int) -> int | None:
    """The time step the code belongs to (±1 step of drift), refusing steps already used."""
    key = _secret_bytes(secret)
    digits = code.strip().replace(" ", "")
    if key is None or len(digits) != DIGITS or not digits.isdigit():
        return None
    current = step_at(now.timestamp(), TOTP_PERIOD)
    for step in (current, current - 1, current + 1):
        expected = f"{code_at(key, step):0{DIGITS}d}"
        if step > last_step and hmac.compare_digest(expected, digits):
            return step
    return None
