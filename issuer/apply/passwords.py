"""Applicants' passwords: the policy they must meet and their argon2id hashes.

Only the argon2 hash (with its own salt and parameters) is stored; `verify`
returns whether a rehash is due when the parameters have been raised since.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["MAX_LENGTH", "MIN_LENGTH", "HASHER", "hash_password", "password_problem", "verify_password"]

MIN_LENGTH = 8
MAX_LENGTH = 128
#: argon2id with the library's defaults (RFC 9106 low-memory profile: t=3, 64 MiB, p=4).
HASHER = PasswordHasher()


def password_problem(password: str) -> tuple[str, str] | None:
    """Why a new password is refused (zh, en), or None when it is acceptable."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return (f"密码须为{MIN_LENGTH}至{MAX_LENGTH}个字符", f"The password must be {MIN_LENGTH} to {MAX_LENGTH} characters")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return ("密码须同时包含字母和数字", "The password must contain letters and digits")
    return None


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> tuple[bool, bool]:
    """(matches, needs_rehash). A damaged hash never matches."""
    try:
        HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, False
    return True, HASHER.check_needs_rehash(stored)


#: A hash of nothing anyone knows: verified against when the account does not exist, so
#: "no such account" takes as long as "wrong password".
DUMMY_HASH = HASHER.hash("no account has this password 7f3a")
