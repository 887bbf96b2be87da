"""What an officer proves at sign-in: an argon2 password and a TOTP code (pyotp).

Passwords are hashed with argon2id (argon2-cffi) at the OWASP parameters; a
hash made with older parameters is rehashed at the next good sign-in. A TOTP
code is accepted once: the step it matched is stored, and a code for that step
or an earlier one is refused, so a code read over a shoulder cannot be replayed
within its 30 seconds. Initial and reset passwords are random, shown once.
"""

from __future__ import annotations

import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

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
TOTP_PERIOD = 30
MIN_PASSWORD = 10
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# No look-alikes: the password is read off a screen or a sealed letter.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_ok(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises on a malformed hash or input."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(stored_hash)
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


def totp_step(secret: str, code: str, now: float) -> int | None:
    """The time step ``code`` is valid for (now, or one step either side), else None.

    Compared in constant time by pyotp; a code that is not six digits is refused first.
    """
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_PERIOD)
    current = int(now) // TOTP_PERIOD
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None
