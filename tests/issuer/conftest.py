"""Fixtures for issuer tests: an in-memory registry and a fixed clock."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from issuer.lifecycle import Lifecycle
from issuer.model import BEIJING
from issuer.registry import Registry

# Mid-morning in Beijing on a fixed day; every test measures time from here.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING)
TODAY = date(2026, 11, 23)
CLERK = "clerk:test"


@pytest.fixture
def registry() -> Iterator[Registry]:
    reg = Registry(":memory:", rng=random.Random(20261123))
    yield reg
    reg.close()


@pytest.fixture
def lifecycle(registry: Registry) -> Lifecycle:
    return Lifecycle(registry)
