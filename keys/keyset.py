"""The public key set: what a verifier needs to check any code the issuer signed.

Published by the issuer at ``/.well-known/permit-keys.json`` and cached by every
verifier and handheld. The document is plain JSON so that a browser can use it
as is (see docs/format.md for the exact shape). Times are Unix seconds (UTC).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from .keypair import KID_LENGTH, PUBLIC_KEY_LENGTH, kid_for

FORMAT = "permit-keys/1"
STATUSES = ("active", "retired", "revoked")


class KeySetError(ValueError):
    """The key set document is not usable; the message says which field."""


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected a base64url string")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """One public key and the time span in which codes signed by it are accepted.

    ``active`` keys sign, ``retired`` keys only verify until ``not_after``,
    ``revoked`` keys verify nothing (a compromised key).
    """

    kid: bytes
    public_key: bytes
    not_before: int
    not_after: int
    status: str = "active"

    def valid_at(self, now: float) -> bool:
        return self.status != "revoked" and self.not_before <= now <= self.not_after

    def to_json(self) -> dict[str, Any]:
        return {
            "kid": self.kid.hex(),
            "alg": "Ed25519",
            "public_key": b64u(self.public_key),
            "not_before": self.not_before,
            "not_after": self.not_after,
            "status": self.status,
        }


class KeySet:
    """An immutable set of public keys, looked up by kid (never tried one by one)."""

    __slots__ = ("_by_kid", "issued_at")

    def __init__(self, keys: Iterable[KeyInfo], issued_at: int = 0) -> None:
        by_kid: dict[bytes, KeyInfo] = {}
        for key in keys:
            if key.kid in by_kid:
                raise KeySetError(f"duplicate kid {key.kid.hex()}")
            by_kid[key.kid] = key
        self._by_kid = by_kid
        self.issued_at = issued_at

    def get(self, kid: bytes) -> KeyInfo | None:
        return self._by_kid.get(kid)

    def __iter__(self) -> Iterator[KeyInfo]:
        return iter(self._by_kid.values())

    def __len__(self) -> int:
        return len(self._by_kid)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "issued_at": self.issued_at, "keys": [k.to_json() for k in self]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def loads(cls, document: str | bytes | Mapping[str, Any]) -> "KeySet":
        """Parse a key set document; KeySetError for anything unexpected.

        The kid is recomputed from the public key and must match: a key set that
        pairs a kid with someone else's key is refused rather than trusted.
        """
        try:
            doc = json.loads(document) if isinstance(document, (str, bytes)) else document
        except (ValueError, UnicodeDecodeError) as exc:
            raise KeySetError(f"not JSON: {exc}") from None
        if not isinstance(doc, Mapping) or doc.get("format") != FORMAT:
            raise KeySetError(f"not a {FORMAT} document")
        raw_keys = doc.get("keys")
        if not isinstance(raw_keys, list):
            raise KeySetError("'keys' must be a list")
        keys = [_parse_key(i, entry) for i, entry in enumerate(raw_keys)]
        issued_at = doc.get("issued_at", 0)
        if not isinstance(issued_at, int) or isinstance(issued_at, bool):
            raise KeySetError("'issued_at' must be an integer")
        return cls(keys, issued_at)


def _parse_key(i: int, entry: Any) -> KeyInfo:
    where = f"keys[{i}]"
    if not isinstance(entry, Mapping):
        raise KeySetError(f"{where} must be an object")
    if entry.get("alg") != "Ed25519":
        raise KeySetError(f"{where}.alg must be Ed25519")
    try:
        kid = bytes.fromhex(entry["kid"])
        public_key = unb64u(entry["public_key"])
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise KeySetError(f"{where} needs hex 'kid' and base64url 'public_key'") from None
    if len(kid) != KID_LENGTH or len(public_key) != PUBLIC_KEY_LENGTH:
        raise KeySetError(f"{where} has a kid or public key of the wrong length")
    if kid_for(public_key) != kid:
        raise KeySetError(f"{where}.kid does not match its public key")
    times = []
    for field in ("not_before", "not_after"):
        value = entry.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise KeySetError(f"{where}.{field} must be a non-negative integer")
        times.append(value)
    status = entry.get("status", "active")
    if status not in STATUSES:
        raise KeySetError(f"{where}.status must be one of {', '.join(STATUSES)}")
    return KeyInfo(kid, public_key, times[0], times[1], status)
