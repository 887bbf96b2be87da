"""Replay stores: each (credential or pass, step, nonce) is accepted once.

A live code is meant to be shown once; a second presentation of the same code
within its acceptance window is a replay (a photo, a forwarded screenshot, a
relay). The store only needs to remember a code for as long as the code could
still be accepted, so every entry carries that TTL.

A store that loses claims (a Redis restarted without persistence, a failover
to a replica that lacks the latest writes, a verifier restarted after a crash)
would accept those codes a second time. Every store therefore has a **replay
epoch**: the moment since which it holds every claim made. A code that could
have been accepted before that moment is refused (``ReplayEpochRefused``,
SERVICE_UNAVAILABLE: the holder shows the next code), so no code is accepted
twice whatever happened to the store's memory.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Protocol, Sequence

from keys.errors import ServiceUnavailable


class StoreUnavailable(ServiceUnavailable):
    """A shared store could not answer; the verifier must fail closed."""


class ReplayEpochRefused(ServiceUnavailable):
    """The code could have been accepted before the store's replay epoch: it may have been claimed already."""


#: How far two verifiers' clocks may differ; a shared store's epoch is moved on by this much.
CLOCK_MARGIN_S = 1.0


class ReplayStore(Protocol):
    def epoch_of(self, key: bytes) -> float:
        """Claims of ``key`` made before this moment may have been lost (minus infinity: none were).

        Read after claiming ``key``: a shared store learns of a loss from the claim itself.
        """

    def claim(self, key: bytes, ttl: float, now: float) -> bool:
        """Record ``key``; True the first time within ``ttl``, False afterwards."""

    def claim_many(self, items: Sequence[tuple[bytes, float]], now: float) -> list[bool]:
        """``claim`` for many keys at once (one round trip for a shared store)."""


class MemoryReplayStore:
    """A bounded in-process replay store whose entries leave as they expire.

    Each claim files its key under the whole second its acceptance window ends
    in; those per-second buckets sit in a queue, oldest first. Every claim first
    drops the buckets whose second has passed, so each entry is removed exactly
    once, by the claim that finds it expired: constant amortized time per claim,
    no sweep that grows with the store, and memory held only for codes still
    inside their window. (The earlier design swept only when full and did so in
    quadratic time, freezing the event loop for minutes.)

    TTLs are almost the same for every code, so buckets arrive in order; a key
    whose window ends before the newest bucket goes into that newest bucket and
    is released at most one window late, which is safe. When the store holds
    ``max_entries`` unexpired codes it refuses new claims (fail closed) rather
    than forget a code that could still be replayed.
    """

    def __init__(self, max_entries: int = 1_000_000, *, epoch: float = -math.inf) -> None:
        self.max_entries = max_entries
        self.epoch = epoch
        self._expiry: dict[bytes, float] = {}
        self._buckets: deque[tuple[int, list[bytes]]] = deque()

    def __len__(self) -> int:
        return len(self._expiry)

    def _evict(self, now: float) -> None:
        buckets = self._buckets
        expiry = self._expiry
        while buckets and buckets[0][0] < now:
            for key in buckets.popleft()[1]:
                until = expiry.get(key)
                if until is not None and until <= now:
                    del expiry[key]

    def claim(self, key: bytes, ttl: float, now: float) -> bool:
        self._evict(now)
        expiry = self._expiry
        until = expiry.get(key)
        if until is not None and until > now:
            return False
        if until is None and len(expiry) >= self.max_entries:
            raise StoreUnavailable("replay store full")
        until = now + ttl
        expiry[key] = until
        second = math.ceil(until)
        buckets = self._buckets
        if buckets and buckets[-1][0] >= second:
            buckets[-1][1].append(key)
        else:
            buckets.append((second, [key]))
        return True

    def claim_many(self, items: Sequence[tuple[bytes, float]], now: float) -> list[bool]:
        return [self.claim(key, ttl, now) for key, ttl in items]

    def epoch_of(self, key: bytes) -> float:
        return self.epoch

    def held(self, now: float) -> list[tuple[bytes, float]]:
        """The claims still inside their window, with the moment each ends (to carry over a restart)."""
        return [(key, until) for key, until in self._expiry.items() if until > now]

    def restore(self, claims: Sequence[tuple[bytes, float]], now: float) -> None:
        """Take back claims saved by ``held`` before a clean restart."""
        for key, until in sorted(claims, key=lambda claim: claim[1]):
            if until > now:
                self.claim(key, until - now, now)
