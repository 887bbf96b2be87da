"""Redis memory for the replay claims of a verification peak, single server and 3-node cluster.

Every accepted live code leaves one claim in Redis until its window has passed:
``verifier.core`` derives the key (``m`` and the code's step, nonce and
credential) and its lifetime (to the end of the last step any verifier still
accepts, plus ``REPLAY_SLACK_S``), and ``verifier.redis_replay.RedisReplayStore``
writes it with its epoch script. At a steady ``peak`` verifications per second,
the claims held at any moment are at most ``peak`` times the longest lifetime
(a code shown early in its window: (2 × skew + 1) × period + slack). This run
writes that many claims, made from real codes by the verifier's own
``check_signed`` and written by its own store in batches of 100 as
``verify_batch`` does, with the clock advancing by 1/peak per code, then reads
``INFO memory`` and ``DBSIZE`` from every node. Redis expires each claim on its
own clock from its arrival, so claims written more slowly than they expire (a
cluster takes one script call per claim) are partly gone when measured: the
memory per key is taken from the keys held at that moment (memory after minus
before, over keys after minus before, both counted by Redis at the same time),
and the peak's memory is that times the claims a sustained peak holds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.wire import encode_minted
from tests.fixtures.redis_server import RedisCluster, RedisServer, raw_command
from verifier.config import Config
from verifier.core import REPLAY_SLACK_S, Options, check_signed
from verifier.redis_replay import RedisReplayStore
from verifier.redis_stores import RedisHandle

from .kit import CLAIMS, SEED

__all__ = ["ReplayFigure", "claim_lifetime_s", "replay_claims", "replay_memory"]

#: issue 11: a peak of 5,000 verifications per second
PEAK_PER_S = 5_000
BATCH = 100
#: 2026-11-23T10:00:00+08:00
START = 1_795_399_200.0

#: (now, [(replay key, lifetime)]) of each batch of claims
Batches = list[tuple[float, list[tuple[bytes, float]]]]


@dataclass(frozen=True)
class ReplayFigure:
    deployment: str
    nodes: int
    claims: int
    keys_before: int
    keys_held: int
    used_memory_before: int
    used_memory_after: int
    seconds: float

    @property
    def bytes_per_claim(self) -> float:
        """Memory per key held (claims, and the epoch markers written with them)."""
        added = self.keys_held - self.keys_before
        return (self.used_memory_after - self.used_memory_before) / added if added > 0 else 0.0

    @property
    def megabytes(self) -> float:
        """The memory of every claim of the peak held at once."""
        return self.bytes_per_claim * self.claims / 2**20


def claim_lifetime_s(config: Config) -> float:
    """The longest a claim is held: a code accepted from the start of its window to its end, plus the slack."""
    return (2 * config.skew_steps + 1) * config.period_s + REPLAY_SLACK_S


def replay_claims(peak_per_s: int, config: Config) -> Batches:
    """(now, [(key, ttl)] of one batch) for ``peak_per_s`` codes a second over a claim's lifetime.

    Each code is minted for the step of its arrival and checked by the verifier's
    ``check_signed``, which gives the replay key and lifetime the service claims.
    """
    key = SigningKey(SEED)
    keyset = KeySet([KeyInfo(key.kid, key.public_key, int(START) - 86_400, int(START) + 400 * 86_400)], int(START))
    options = Options(skew_steps=config.skew_steps)
    period = config.period_s
    total = int(peak_per_s * claim_lifetime_s(config))
    batches: Batches = []
    for first in range(0, total, BATCH):
        now = START + first / peak_per_s
        items = []
        for n in range(first, min(total, first + BATCH)):
            code = encode_minted(key, CLAIMS, step=int(now // period), period=period, nonce=n.to_bytes(3, "big"))
            checked = check_signed(code, now, keyset, options)
            assert checked.replay_key is not None
            items.append((checked.replay_key, checked.replay_ttl))
        batches.append((now, items))
    return batches


def _used_memory(ports: list[int]) -> int:
    total = 0
    for port in ports:
        info = raw_command(port, "INFO", "memory").decode()
        total += int(next(line.split(":")[1] for line in info.splitlines() if line.startswith("used_memory:")))
    return total


def _keys_held(ports: list[int]) -> int:
    return sum(int(raw_command(port, "DBSIZE")[1:].strip()) for port in ports)


def _measure(deployment: str, url: str, cluster: bool, ports: list[int], batches: Batches,
             config: Config) -> ReplayFigure:
    """Claims ``batches`` through the store; the first claim (connection, script, epoch markers) is not counted."""
    handle = RedisHandle(Config(redis_url=url, redis_cluster=cluster, redis_timeout_s=10.0,
                                skew_steps=config.skew_steps, period_s=config.period_s))
    store = RedisReplayStore(handle)
    (first_now, first_items), rest = batches[0], batches[1:]
    try:
        store.claim_many(first_items[:1], first_now)
        before, keys_before = _used_memory(ports), _keys_held(ports)
        claims = 0
        started = time.perf_counter()
        for now, items in [(first_now, first_items[1:]), *rest]:
            if not items:
                continue
            if not all(store.claim_many(items, now)):
                raise RuntimeError("a fresh replay claim was refused: the keys are not distinct")
            claims += len(items)
        seconds = time.perf_counter() - started
        held = _keys_held(ports)
        after = _used_memory(ports)
    finally:
        handle.close()
    return ReplayFigure(deployment, len(ports), claims, keys_before, held, before, after, seconds)


def replay_memory(peak_per_s: int = PEAK_PER_S, config: Config | None = None) -> list[ReplayFigure]:
    """Claims of ``peak_per_s`` over a claim's lifetime on one redis-server and on a 3-master cluster."""
    config = config or Config()
    batches = replay_claims(peak_per_s, config)
    figures: list[ReplayFigure] = []
    with RedisServer() as server:
        figures.append(_measure("single redis-server", server.url, False, [server.port], batches, config))
    with RedisCluster() as cluster:
        figures.append(_measure("Redis Cluster, 3 masters", cluster.url, True,
                                [node.port for node in cluster.nodes], batches, config))
    return figures


def describe(figure: ReplayFigure) -> dict[str, Any]:
    return {"deployment": figure.deployment, "nodes": figure.nodes, "claims": figure.claims,
            "keys_before": figure.keys_before, "keys_held": figure.keys_held, "used_memory_mb": round(figure.megabytes, 1),
            "bytes_per_claim": round(figure.bytes_per_claim), "write_seconds": round(figure.seconds, 1)}
