"""Fixtures for issuer tests: an in-memory registry with a seeded generator, and the
service app with its keys and clock (defined in app_helpers)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from issuer.lifecycle import Lifecycle
from issuer.registry import Registry
from tests.issuer.app_helpers import app, client, clock, issuer_keys  # noqa: F401  (the HTTP tests' fixtures)


@pytest.fixture
def registry() -> Iterator[Registry]:
    reg = Registry(":memory:", rng=random.Random(20261123))
    yield reg
    reg.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_any(request: pytest.FixtureRequest) -> Iterator[Registry]:
    """The registry on each backend: SQLite in memory, and a fresh PostgreSQL database.

    A module whose tests must hold on both backends overrides ``registry`` with it.
    """
    target = ":memory:" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    reg = Registry(target, rng=random.Random(20261123))
    yield reg
    reg.close()


@pytest.fixture
def lifecycle(registry: Registry) -> Lifecycle:
    return Lifecycle(registry)
