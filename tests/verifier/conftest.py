"""Fixtures for the verifier service tests (see service_kit)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.redis_server import RedisServer

from .service_kit import Clock, FakeIssuer, Verifier, make_config, settle_replay_epoch


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def issuer(clock: Clock) -> FakeIssuer:
    return FakeIssuer(clock)


@pytest.fixture
def make_verifier(tmp_path: Path, clock: Clock, issuer: FakeIssuer) -> Iterator[Callable[..., Verifier]]:
    """``make_verifier(**config_overrides)``: a started verifier app; all are stopped at teardown.

    Apps made in one test share the key file and the clock, like instances of one deployment.
    """
    made: list[Verifier] = []

    def make(**overrides: Any) -> Verifier:
        overrides.setdefault("var_dir", tmp_path / f"var-{len(made)}")  # one process, one var directory
        verifier = Verifier(make_config(tmp_path, **overrides), issuer, clock)
        made.append(verifier)
        return verifier

    try:
        yield make
    finally:
        for verifier in made:
            verifier.close()


@pytest.fixture
def make_verifier_once(make_verifier: Callable[..., Verifier]) -> Verifier:
    """One verifier for a whole property test (every example reuses it)."""
    return make_verifier()


@pytest.fixture
def redis_server(redis_server: RedisServer) -> RedisServer:
    """The private server, holding replay claims for an hour already (a fresh one would refuse the first codes)."""
    settle_replay_epoch(redis_server.client())
    return redis_server
