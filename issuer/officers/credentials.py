"""What an officer proves at sign-in: an argon2 password and a TOTP code (pyotp).

Passwords are hashed as applicants' are (issuer.apply.passwords, argon2id); a
hash made with older parameters is rehashed at the next good sign-in. A TOTP
code is accepted once: the step it matched is stored, and a code for that step
or an earlier one is refused, so a code read over a shoulder cannot be replayed
within its 30 seconds. Initial and reset passwords are random, shown once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

import pyotp
from argon2.exceptions import InvalidHashError

from issuer.apply.passwords import HASHER, hash_password, verify_password
from issuer.otp import TOTP_PERIOD
from issuer.otp import totp_step as _step_after

__all__ = [
    "ISSUER_NAME",
    "hash_password",
    "needs_rehash",
    "new_password",
    "new_totp_secret",
    "password_ok",
    "provisioning_uri",
    "totp_step",
]

ISSUER_NAME = "北京居住证签发系统"
# No look-alikes: the password is read off a screen or a sealed letter.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def password_ok(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises on a malformed hash or input."""
    return verify_password(stored_hash, password)[0]


def needs_rehash(stored_hash: str) -> bool:
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def new_password() -> str:
    """A random 14-character password (about 80 bits) for a new or reset account."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(14))


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code."""
    return pyotp.TOTP(secret, interval=TOTP_PERIOD).provisioning_uri(name=username, issuer_name=ISSUER_NAME)


def totp_step(secret: str, code: str, now: float, *, last_step: int = 0) -> int | None:
    """The time step ``code`` is valid for (now, or one step either side) after ``last_step``, else None."""
    return _step_after(secret, code, datetime.fromtimestamp(now, timezone.utc), last_step=last_step)
