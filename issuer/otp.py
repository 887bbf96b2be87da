"""One-time codes (TOTP, RFC 6238 via pyotp) as a second factor, for applicants and officers alike.

A code is accepted for the current 30-second step or one step either side (phone
clocks drift), compared in constant time, and only for a step later than the last
one used: the caller stores the returned step, so a code read over a shoulder
cannot be used again.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

__all__ = ["totp_step"]


def totp_step(secret: str, code: str, now: datetime, *, last_step: int) -> int | None:
    """The time step the code belongs to (±1 step of drift), refusing steps already used."""
    totp = pyotp.TOTP(secret)
    digits = code.strip().replace(" ", "")
    if len(digits) != totp.digits or not digits.isdigit():
        return None
    current = int(now.timestamp()) // totp.interval
    for step in (current, current - 1, current + 1):
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None
