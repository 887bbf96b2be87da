"""Enrolment codes and device tokens: how they look and how they are stored.

Only SHA-256 hashes of either ever reach the database, so a copy of the registry
file does not let anyone enrol a phone or impersonate one. Both are high-entropy
random values (not passwords), so a plain hash without salt or stretching is the
right tool: there is nothing to brute-force from the hash.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

__all__ = [
    "ENROLMENT_TTL",
    "hash_secret",
    "new_device_token",
    "new_enrolment_code",
    "normalise_code",
]

ENROLMENT_TTL = timedelta(minutes=15)

# No 0/O, 1/I/L or U: the code is read off a counter screen and typed on a phone.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
_CODE_LENGTH = 8  # 30**8 ≈ 2**39, enough for a one-time code that lives 15 minutes


def new_enrolment_code() -> str:
    """A fresh code shown as two groups of four, e.g. ``K7QM-3XRP``."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    """Accept what people type: any case, with or without the dash or spaces."""
    return "".join(ch for ch in code.upper() if ch not in "- \t")


def new_device_token() -> str:
    """The bearer token a phone keeps after enrolment (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_secret(value: str) -> str:
    """Hex SHA-256, the only form in which codes and tokens are stored."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
