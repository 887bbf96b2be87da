"""TOTP guessing stopped: a bounded number of BAD_TOTP answers per offline pass.

An offline pass's signed part is static for up to 72 hours; whoever photographs
it could try the six-digit TOTP code for the current step until one fits (a
batch of 500 codes was 500 guesses). So each pass may get at most
``per_step`` BAD_TOTP answers in one time step and ``per_hour`` in one clock
hour; the answer that reaches either limit *locks* the pass for ``lock_s`` seconds and every code of
it is answered BAD_TOTP, right or wrong, so the lock tells a guesser nothing.
Only codes whose signature verified are counted: a forger cannot lock a pass
without a photograph of it. The holder of a locked pass shows the live code
(online) or an identity document.

The embedded guard counts in memory; with Redis the counts are shared by every
verifier instance (``verifier.redis_stores.RedisTotpGuard``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol, Sequence


@dataclass(frozen=True, slots=True)
class GuessLimits:
    per_step: int = 3
    per_hour: int = 10
    lock_s: int = 3600


class TotpGuard(Protocol):
    def failed(self, guesses: Sequence[tuple[bytes, int]], now: float) -> None:
        """Count BAD_TOTP answers, one per (pass id, step); lock the passes over a limit."""

    def locked(self, pass_ids: Sequence[bytes], now: float) -> list[bool]:
        """Whether each pass is locked now."""


class MemoryTotpGuard:
    """Counts in this process. Entries leave when their hour and their lock are over.

    Memory is bounded by the passes that had a wrong code in the last hour
    (each needs a genuine signed pass); a sweep every ``sweep_every`` failures
    drops the finished ones.
    """

    def __init__(self, limits: GuessLimits = GuessLimits(), *, sweep_every: int = 1024) -> None:
        self.limits = limits
        # pass id -> [hour, count in hour, step, count in step, locked until]
        self._passes: dict[bytes, list[float]] = {}
        self._lock = threading.Lock()
        self._since_sweep = 0
        self._sweep_every = sweep_every

    def __len__(self) -> int:
        return len(self._passes)

    def failed(self, guesses: Sequence[tuple[bytes, int]], now: float) -> None:
        limits = self.limits
        hour = now // 3600
        with self._lock:
            for pass_id, step in guesses:
                entry = self._passes.get(pass_id)
                if entry is None:
                    entry = self._passes[pass_id] = [hour, 0, step, 0, 0.0]
                if entry[0] != hour:
                    entry[0], entry[1] = hour, 0
                if entry[2] != step:
                    entry[2], entry[3] = step, 0
                entry[1] += 1
                entry[3] += 1
                if entry[1] >= limits.per_hour or entry[3] >= limits.per_step:
                    entry[4] = max(entry[4], now + limits.lock_s)
            self._since_sweep += len(guesses)
            if self._since_sweep >= self._sweep_every:
                self._sweep(now)

    def _sweep(self, now: float) -> None:
        hour = now // 3600
        self._passes = {p: e for p, e in self._passes.items() if e[0] == hour or e[4] > now}
        self._since_sweep = 0

    def locked(self, pass_ids: Sequence[bytes], now: float) -> list[bool]:
        with self._lock:
            out = []
            for pass_id in pass_ids:
                entry = self._passes.get(pass_id)
                out.append(entry is not None and entry[4] > now)
            return out
