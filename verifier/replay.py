"""Replay stores: each (credential or pass, step, nonce) is accepted once.

A live code is meant to be shown once; a second presentation of the same code
within its acceptance window is a replay (a photo, a forwarded screenshot, a
relay). The store only needs to remember a code for as long as the code could
still be accepted, so every entry carries that TTL.
"""

from __future__ import annotations

from typing import Protocol, Sequence

from keys.errors import ServiceUnavailable


class StoreUnavailable(ServiceUnavailable):
    """A shared store could not answer; the verifier must fail closed."""


class ReplayStore(Protocol):
    def claim(self, key: bytes, ttl: float, now: float) -> bool:
        """Record ``key``; True the first time within ``ttl``, False afterwards."""

    def claim_many(self, items: Sequence[tuple[bytes, float]], now: float) -> list[bool]:
        """``claim`` for many keys at once (one round trip for a shared store)."""


class MemoryReplayStore:
    """A bounded in-process replay store with TTL eviction.

    Entries arrive in nearly expiry order (every TTL is the same acceptance
    window), so expired ones are dropped from the oldest end. When the store is
    full of unexpired entries it refuses new claims (fail closed) rather than
    forgetting a code that could still be replayed.
    """

    def __init__(self, max_entries: int = 1_000_000) -> None:
        self.max_entries = max_entries
        self._expiry: dict[bytes, float] = {}  # insertion-ordered: oldest first

    def __len__(self) -> int:
        return len(self._expiry)

    def _evict(self, now: float) -> None:
        expiry = self._expiry
        while expiry:
            key, until = next(iter(expiry.items()))
            if until > now:
                break
            del expiry[key]

    def claim(self, key: bytes, ttl: float, now: float) -> bool:
        expiry = self._expiry
        until = expiry.get(key)
        if until is not None:
            if until > now:
                return False
            del expiry[key]  # expired: re-inserted below at the young end
        if len(expiry) >= self.max_entries:
            self._evict(now)
            if len(expiry) >= self.max_entries:
                raise StoreUnavailable("replay store full")
        expiry[key] = now + ttl
        return True

    def claim_many(self, items: Sequence[tuple[bytes, float]], now: float) -> list[bool]:
        self._evict(now)
        return [self.claim(key, ttl, now) for key, ttl in items]
