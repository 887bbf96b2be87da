"""Fixtures for the benchmark suite (run by ``bash scripts/bench``, never by the test run).

In-process benchmarks use a fixed clock and fresh codes for every round; the
HTTP benchmarks run the real service in its own process and read the wall clock.
Where a run writes its figures: ``BENCH_OUT`` (scripts/bench sets it to
var/bench), picked up by benchmarks/report.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from keys.statuslist import MIN_SIZE, StatusList
from tests.fixtures.redis_server import RedisServer
from verifier.core import Options
from verifier.status import MemoryStatusSource

from .kit import CLAIMS, ROTATION_SECRET, World

#: 2026-11-23T10:00:00+08:00, the in-process benchmarks' fixed clock
NOW = 1_795_399_200.0
OUT = Path(os.environ.get("BENCH_OUT", "var/bench"))


@pytest.fixture(scope="session")
def world() -> World:
    return World(clock=lambda: NOW)


@pytest.fixture(scope="session")
def options() -> Options:
    """The service's own policy: one step of skew, the rotation secret held, status age checked."""
    return Options(skew_steps=1, rotation_secret=ROTATION_SECRET, max_status_age_s=300)


@pytest.fixture(scope="session")
def status_source(world: World) -> MemoryStatusSource:
    """A verified-list-backed source, as the service holds it (one revoked entry elsewhere)."""
    source = MemoryStatusSource(updated_at=None)
    status_list = StatusList.build([(CLAIMS.ref + 1, 2)], size=MIN_SIZE * 8, issued_at=int(NOW), ttl=3600)
    source.load(status_list, NOW)
    return source


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A private redis-server for the benchmarks (never the system one)."""
    with RedisServer() as server:
        yield server


class Recorder:
    """Figures that pytest-benchmark does not hold (HTTP load runs), written as JSON at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, Any] = {}

    def add(self, name: str, value: Any) -> None:
        self.entries[name] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.entries, indent=1, sort_keys=True), encoding="utf-8")


@pytest.fixture(scope="session")
def recorder() -> Recorder:
    return Recorder(OUT / "http.json")
