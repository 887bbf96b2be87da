"""The attack suite runs against the verifier service of tests/verifier, with an issuer that can be tampered with."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.verifier.conftest import make_verifier, redis_server  # noqa: F401  (fixtures used by the attacks)
from tests.verifier.service_kit import Clock, FakeIssuer


@dataclass
class TamperingIssuer(FakeIssuer):
    """The fake issuer, whose published key set can be replaced by whatever an attacker serves."""

    keyset_override: bytes | None = None

    def keyset_bytes(self) -> bytes:
        return self.keyset_override if self.keyset_override is not None else super().keyset_bytes()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def issuer(clock: Clock) -> TamperingIssuer:
    return TamperingIssuer(clock)
