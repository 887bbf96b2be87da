"""Limits shared by every verifier instance through Redis: request tokens and TOTP guesses.

Without sharing, N instances behind a load balancer would give each API key N
times its rate and each offline pass N times its guesses. Both are one small
Lua script per call on one key, so they work unchanged on a Redis Cluster.

Keys (``P`` is ``VERIFIER_REDIS_PREFIX``)::

    P:rate:<key name>        hash t = tokens, a = when; expires once full again
    P:guess:<hex pass id>    hash h, hc = hour and its BAD_TOTP count, s, sc = step and its count,
                             l = locked until; expires an hour after the lock ends

When Redis cannot answer, the request limit falls back to this instance's own
bucket (a verdict needs Redis anyway and will be refused); the guess counts
raise StoreUnavailable, which the pipeline turns into SERVICE_UNAVAILABLE for a
pass's code and ignores for a count (the code was wrong either way).
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

from .guesses import GuessLimits
from .outage_log import OutageLog
from .ratelimit import RateLimiter
from .redis_stores import RedisHandle
from .replay import StoreUnavailable

log = logging.getLogger("verifier.redis")

#: KEYS[1]: bucket; ARGV: rate, burst, cost, now. Returns the wait in seconds as text (0 = go ahead).
_TAKE = """
local rate, burst, cost, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local b = redis.call('hmget', KEYS[1], 't', 'a')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local need = math.min(cost, burst)
local wait = 0
if tokens >= need then tokens = tokens - cost else wait = (need - tokens) / rate end
redis.call('hset', KEYS[1], 't', tostring(tokens), 'a', tostring(now))
redis.call('pexpire', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return tostring(wait)
"""

#: KEYS[1]: a pass's counts; ARGV: hour, step, now, per_step, per_hour, lock_s.
_FAILED = """
local f = redis.call('hmget', KEYS[1], 'h', 'hc', 's', 'sc', 'l')
local now = tonumber(ARGV[3])
local hc = 1
if f[1] == ARGV[1] then hc = tonumber(f[2]) + 1 end
local sc = 1
if f[3] == ARGV[2] then sc = tonumber(f[4]) + 1 end
local l = tonumber(f[5]) or 0
if hc >= tonumber(ARGV[5]) or sc >= tonumber(ARGV[4]) then l = math.max(l, now + tonumber(ARGV[6])) end
redis.call('hset', KEYS[1], 'h', ARGV[1], 'hc', hc, 's', ARGV[2], 'sc', sc, 'l', tostring(l))
redis.call('pexpire', KEYS[1], math.ceil((math.max(l - now, 0) + 3600) * 1000))
return 1
"""


class SharedRateLimiter:
    """The token bucket of ``RateLimiter``, kept in Redis; this instance's own bucket while Redis is away."""

    def __init__(self, handle: RedisHandle, local: RateLimiter) -> None:
        self.handle = handle
        self.local = local
        self.outage = OutageLog(log, "shared rate limit (using this instance's buckets)")

    def take(self, name: str, cost: float = 1.0) -> float:
        key = self.handle.key("rate", name)
        local = self.local
        args = (repr(local.rate), repr(local.burst), repr(float(cost)), repr(local.clock()))
        try:
            wait = float(self.handle.run(lambda c: c.eval(_TAKE, 1, key, *args)))
        except (StoreUnavailable, TypeError, ValueError) as exc:
            self.outage.failed(type(exc).__name__)
            return local.take(name, cost)
        self.outage.ok()
        return wait


class RedisTotpGuard:
    """``verifier.guesses.MemoryTotpGuard`` with the counts in Redis, one hash per pass."""

    def __init__(self, handle: RedisHandle, limits: GuessLimits) -> None:
        self.handle = handle
        self.limits = limits

    def _key(self, pass_id: bytes) -> str:
        return self.handle.key("guess", pass_id.hex())

    def failed(self, guesses: Sequence[tuple[bytes, int]], now: float) -> None:
        limits = self.limits
        hour = str(int(now // 3600))

        def run(client: Any) -> None:
            pipe = client.pipeline(transaction=False)
            for pass_id, step in guesses:
                pipe.eval(
                    _FAILED, 1, self._key(pass_id), hour, str(step), repr(now),
                    limits.per_step, limits.per_hour, limits.lock_s,
                )
            pipe.execute()

        self.handle.run(run)

    def locked(self, pass_ids: Sequence[bytes], now: float) -> list[bool]:
        def run(client: Any) -> list[Any]:
            pipe = client.pipeline(transaction=False)
            for pass_id in pass_ids:
                pipe.hget(self._key(pass_id), "l")
            return list(pipe.execute())

        out = []
        for until in self.handle.run(run):
            try:
                out.append(until is not None and float(until) > now)
            except ValueError:
                out.append(True)  # not what the script writes: refuse rather than guess
        return out
