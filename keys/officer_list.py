"""The officers who may no longer scan: a short list the issuer signs and every verifier fetches.

A handheld session opened with an officer's account (keys.officer_assertion)
lives in the verifier, which does not read the issuer's accounts. When an
account is disabled (an officer leaves, a handheld is lost with its session),
the issuer lists it here and the verifiers end its sessions at their next
fetch, as a revoked permit is refused at the next status list.

Text form: keys.signed_text, format line ``officers-disabled/1``. JSON:
``{"format", "kid", "issued_at", "ttl", "disabled"}``, ``disabled`` the sorted hex SHA-256 of ``"officer:" + account name`` of every
disabled account (a public document names nobody in clear).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from .keypair import SigningKey
from .keyset import KeySet
from .signed_text import SignedTextInvalid, open_signed_text, sign_text

__all__ = ["FORMAT", "DisabledOfficers", "OfficerListInvalid", "officer_digest", "sign_officer_list",
           "verify_officer_list"]

FORMAT = "officers-disabled/1"
MAX_TEXT = 1 << 20
MAX_ENTRIES = 10_000
_CLOCK_SKEW_S = 300


class OfficerListInvalid(ValueError):
    """The document is malformed, badly signed, or from the future."""


def officer_digest(actor: str) -> str:
    """How an officer's audit name (``officer:<account>``) appears in the list."""
    return hashlib.sha256(actor.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DisabledOfficers:
    issued_at: int
    ttl: int
    digests: frozenset[str]

    def disabled(self, actor: str) -> bool:
        return officer_digest(actor) in self.digests


def sign_officer_list(signer: SigningKey, actors: Iterable[str], *, issued_at: int, ttl: int) -> str:
    return sign_text(signer, FORMAT, {"issued_at": issued_at, "ttl": ttl,
                                      "disabled": sorted({officer_digest(a) for a in actors})})


def verify_officer_list(text: object, keyset: KeySet, now: float) -> DisabledOfficers:
    """The list a valid document holds; OfficerListInvalid for anything else."""
    try:
        doc = open_signed_text(text, FORMAT, keyset, now, max_len=MAX_TEXT)
    except SignedTextInvalid as exc:
        raise OfficerListInvalid(f"officer list: {exc}") from None
    try:
        issued_at, ttl, entries = doc["issued_at"], doc["ttl"], doc["disabled"]
    except KeyError:
        raise OfficerListInvalid("malformed officer list") from None
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (issued_at, ttl)):
        raise OfficerListInvalid("malformed officer list")
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES or not all(
            isinstance(e, str) and len(e) == 64 and all(c in "0123456789abcdef" for c in e) for e in entries):
        raise OfficerListInvalid("malformed officer list")
    if issued_at > now + _CLOCK_SKEW_S:
        raise OfficerListInvalid("officer list issued in the future")
    return DisabledOfficers(int(issued_at), int(ttl), frozenset(entries))
