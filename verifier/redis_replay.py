"""Replay claims on Redis (single server or Redis Cluster), with the replay epoch.

The connection, its failure policy and the key layout are ``verifier.redis_stores``.

Why the replay hash tag is per key and not per batch or per time step: a tag
shared by a whole batch (or by every code of one step) would put all writes of
a period on one master, the hot slot that caps a cluster's throughput at one
node's. redis-py's cluster pipeline groups commands by node and writes to every
node before reading any reply, so a batch spread over the cluster still costs
one round trip of wall time (to all masters in parallel); on a single server
the pipeline is literally one round trip. 256 tags spread evenly over any
realistic number of masters while keeping the replay keys in a bounded, known
set of slots. The two status keys share the ``{status}`` tag so they live on
one node.

Replay claims go through one Lua script (``EVALSHA``): it reads the epoch
marker of the claims' node, creates it when it is missing, counts the call, then
does one ``SET NX PX`` per key. On a single server a whole batch is one call
(redis-py spends about 17 µs per command packing and parsing a pipeline, against
about 7 µs per key for the arguments of one script call). A cluster cannot run
that script over a batch (a script's keys must share a slot, and the batch is
spread over 256 tags on purpose), so on a cluster a batch is a pipeline of one
script call per key with that key's tag marker, one round trip to every master
in parallel.

The replay epoch (see verifier.replay): a server restarted empty, flushed, or
new has no marker; the script that finds none writes the caller's clock into
it, in the same atomic call as the claims, so the very first claim after a loss
already sees the new epoch. A failover to a replica that lacks the latest
writes keeps an old marker but its counter goes back: a verifier that sees a
counter not above the last one it saw moves the marker's epoch to its clock.
Markers have no TTL; Redis must not evict keys (``maxmemory-policy
noeviction``, Redis's default), or claims could vanish with the marker left.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import zlib
from typing import Any, Sequence

from redis.exceptions import NoScriptError

from .redis_stores import RedisHandle, px_ms
from .replay import CLOCK_MARGIN_S, StoreUnavailable

log = logging.getLogger("verifier.redis")

#: KEYS[1]: the epoch marker, KEYS[2..]: replay keys; ARGV[1]: the caller's clock, ARGV[2..]: lifetimes in ms.
#: Returns {epoch, counter, one flag per key (1 = claimed now)}.
_CLAIM_MANY = """
local epoch = redis.call('hget', KEYS[1], 'e')
if not epoch then
  epoch = ARGV[1]
  redis.call('hset', KEYS[1], 'e', epoch)
end
local out = {epoch, redis.call('hincrby', KEYS[1], 'n', 1)}
for i = 2, #KEYS do
  if redis.call('set', KEYS[i], '1', 'NX', 'PX', ARGV[i]) then out[i + 1] = 1 else out[i + 1] = 0 end
end
return out
"""
CLAIM_MANY_SHA = hashlib.sha1(_CLAIM_MANY.encode()).hexdigest()

#: KEYS[1]: an epoch marker; ARGV[1]: the caller's clock. Moves the epoch forward, never back.
_RAISE_EPOCH = """
local epoch = tonumber(redis.call('hget', KEYS[1], 'e'))
if not epoch or epoch < tonumber(ARGV[1]) then redis.call('hset', KEYS[1], 'e', ARGV[1]) end
return redis.call('hget', KEYS[1], 'e')
"""


def replay_key(prefix: str, key: bytes) -> str:
    return f"{prefix}:{{rp:{zlib.crc32(key) & 0xFF:02x}}}:{key.hex()}"


class RedisReplayStore:
    """Replay claims as ``SET key 1 NX PX ttl`` inside the epoch script (see the module notes).

    Each marker has its own epoch: on a cluster a node that restarted refuses
    older codes for the claims it held, the other nodes' claims are unharmed.
    """

    def __init__(self, handle: RedisHandle, *, enforce_epoch: bool = True) -> None:
        self.handle = handle
        self.enforce_epoch = enforce_epoch
        self._seen: dict[str, tuple[float, int]] = {}  # marker -> (epoch, highest counter) last seen
        self._lock = threading.Lock()
        self.single_marker = handle.key("replay-epoch")
        self.markers = (
            [f"{handle.prefix}:{{rp:{tag:02x}}}:replay-epoch" for tag in range(256)]
            if handle.cluster
            else [self.single_marker]
        )

    @property
    def epoch(self) -> float:
        """The latest epoch of any marker seen (plus the clock margin)."""
        return max((self.epoch_of_marker(m) for m in self._seen), default=-math.inf)

    def epoch_of_marker(self, marker: str) -> float:
        if not self.enforce_epoch:
            return -math.inf
        seen = self._seen.get(marker)
        return -math.inf if seen is None else seen[0] + CLOCK_MARGIN_S

    def epoch_of(self, key: bytes) -> float:
        """The epoch of the marker that guards ``key``'s claim."""
        if not self.handle.cluster:
            return self.epoch_of_marker(self.single_marker)
        return self.epoch_of_marker(self._marker(replay_key(self.handle.prefix, key)))

    def _marker(self, name: str) -> str:
        if not self.handle.cluster:
            return self.single_marker
        return name[: name.index("}") + 1] + ":replay-epoch"

    def _before(self, marker: str) -> tuple[float, int] | None:
        with self._lock:
            return self._seen.get(marker)

    def _observe(self, marker: str, before: tuple[float, int] | None, reply: Any, now: float) -> list[bool]:
        """Take the epoch and counter from a script reply.

        ``before`` is what was seen before the call was sent. In the same epoch
        the call's counter must be above it unless the store lost writes (a
        failover to a replica that lacks them): then the marker's epoch moves to
        our clock. A newer epoch than ``before`` means someone already found a
        loss (or the marker was just re-created) and nothing more is needed.
        Comparing with what is seen at reply time instead would mistake replies
        of concurrent calls arriving out of order for a loss.
        """
        if not isinstance(reply, list) or len(reply) < 2:
            raise StoreUnavailable("redis")  # not what the script returns: refuse rather than guess
        try:
            epoch = float(reply[0])
            counter = int(reply[1])
        except (TypeError, ValueError):
            raise StoreUnavailable("redis") from None
        if before is not None and epoch <= before[0] and counter <= before[1]:
            log.warning("replay store lost claims (epoch marker counter went back); refusing older codes")
            epoch = float(self.handle.run(lambda c: c.eval(_RAISE_EPOCH, 1, marker, repr(now))))
        new_era = before is not None and epoch > before[0]
        with self._lock:
            seen = self._seen.get(marker)
            if seen is None or epoch > seen[0]:
                self._seen[marker] = (epoch, counter)
            elif epoch == seen[0] and counter > seen[1]:
                self._seen[marker] = (epoch, counter)
        if new_era and self.handle.cluster:
            self._spread(marker, epoch)
        return [flag == 1 for flag in reply[2:]]

    def _spread(self, marker: str, epoch: float) -> None:
        """A node lost its data: give every marker on that node the new epoch now, not one by one later."""

        def raise_all(client: Any) -> None:
            node = client.get_node_from_key(marker)
            pipe = client.pipeline(transaction=False)
            for other in self.markers:
                if other != marker and client.get_node_from_key(other) == node:
                    pipe.execute_command("EVAL", _RAISE_EPOCH, 1, other, repr(epoch))
            pipe.execute()

        self.handle.run(raise_all)

    def _script_args(self, marker: str, names: Sequence[str], ttls: Sequence[float], now: float) -> list[Any]:
        return [1 + len(names), marker, *names, repr(now), *[px_ms(ttl) for ttl in ttls]]

    def claim(self, key: bytes, ttl: float, now: float) -> bool:
        return self.claim_many([(key, ttl)], now)[0]

    def claim_many(self, items: Sequence[tuple[bytes, float]], now: float) -> list[bool]:
        if not items:
            return []
        prefix = self.handle.prefix
        names = [replay_key(prefix, key) for key, _ in items]
        if self.handle.cluster:
            markers = [self._marker(name) for name in names]
            befores = [self._before(marker) for marker in markers]

            def pipelined(client: Any) -> list[Any]:
                pipe = client.pipeline(transaction=False)
                for marker, name, (_, ttl) in zip(markers, names, items):
                    pipe.execute_command("EVAL", _CLAIM_MANY, *self._script_args(marker, [name], [ttl], now))
                return pipe.execute()

            replies = self.handle.run(pipelined)
            if not isinstance(replies, list) or len(replies) != len(items):
                raise StoreUnavailable("redis")
            return [
                self._observe(marker, before, reply, now)[0] for marker, before, reply in zip(markers, befores, replies)
            ]

        marker = self.single_marker
        before = self._before(marker)
        args = self._script_args(marker, names, [ttl for _, ttl in items], now)

        def scripted(client: Any) -> Any:
            try:
                return client.execute_command("EVALSHA", CLAIM_MANY_SHA, *args)
            except NoScriptError:
                # Redis restarted or its script cache was flushed: EVAL runs the
                # script and caches it again, so the next call is an EVALSHA.
                return client.execute_command("EVAL", _CLAIM_MANY, *args)

        flags = self._observe(marker, before, self.handle.run(scripted), now)
        if len(flags) != len(items):
            raise StoreUnavailable("redis")
        return flags


