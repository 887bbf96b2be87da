"""Per-key request limits: a token bucket for each API key name, counting work.

Each key may verify ``burst`` codes at once and ``rate`` codes per second on
average; beyond that the request is answered 429 with ``Retry-After``. A
request costs one token per code it asks about: a batch of 500 codes costs 500
(one token per batch let one key verify 33,000 codes in 5 s, and try as many
TOTP guesses). A batch larger than the burst goes ahead when the bucket holds
a full burst and leaves it in debt, so the average stays at ``rate``. With
Redis the buckets are shared by every instance (``verifier.redis_limits``);
without it they live in this process.
"""

from __future__ import annotations

import math
import threading
from typing import Callable, Protocol


class Limiter(Protocol):
    def take(self, name: str, cost: float = 1.0) -> float:
        """0.0 when the request may go ahead, else the seconds until it could."""


class RateLimiter:
    def __init__(self, rate_per_s: float, burst: int, *, clock: Callable[[], float]) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate_per_s
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # name -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, name: str, cost: float = 1.0) -> float:
        """0.0 when the request may go ahead (and ``cost`` tokens are taken), else the seconds until it could."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(name, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
            need = min(cost, self.burst)
            if tokens >= need:
                self._buckets[name] = (tokens - cost, now)
                return 0.0
            self._buckets[name] = (tokens, now)
            return (need - tokens) / self.rate


def retry_after_header(wait_s: float) -> str:
    """Whole seconds, at least 1, as HTTP's Retry-After wants."""
    return str(max(1, math.ceil(wait_s)))
