"""Fixtures for issuer tests: an in-memory registry with a seeded generator."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from issuer.lifecycle import Lifecycle
from issuer.registry import Registry


@pytest.fixture
def registry() -> Iterator[Registry]:
    reg = Registry(":memory:", rng=random.Random(20261123))
    yield reg
    reg.close()


@pytest.fixture
def lifecycle(registry: Registry) -> Lifecycle:
    return Lifecycle(registry)
