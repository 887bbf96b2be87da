"""Per-key request limits: a token bucket for each API key name.

Each key may make ``burst`` requests at once and ``rate`` requests per second on
average; a request beyond that is answered 429 with ``Retry-After``. Every
request costs one token, a batch included (a batch is bounded by
``VERIFIER_BATCH_MAX`` codes). Buckets are per process: behind N instances a key
gets up to N times the rate, which is the trade made for needing no Redis round
trip before each verdict.
"""

from __future__ import annotations

import math
import threading
from typing import Callable


class RateLimiter:
    def __init__(self, rate_per_s: float, burst: int, *, clock: Callable[[], float]) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate_per_s
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # name -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, name: str, cost: float = 1.0) -> float:
        """0.0 when the request may go ahead, else the seconds until it could."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(name, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
            if tokens >= cost:
                self._buckets[name] = (tokens - cost, now)
                return 0.0
            self._buckets[name] = (tokens, now)
            return (cost - tokens) / self.rate


def retry_after_header(wait_s: float) -> str:
    """Whole seconds, at least 1, as HTTP's Retry-After wants."""
    return str(max(1, math.ceil(wait_s)))
