"""A small world for pipeline tests: the shared code factory at a fixed moment, with stores."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fixtures.clock import NOW
from tests.fixtures.codes import CLAIMS, PASS_PERIOD, PERIOD, ROTATION_SECRET, Codes
from verifier.core import Options
from verifier.replay import MemoryReplayStore
from verifier.status import MemoryStatusSource

__all__ = ["CLAIMS", "NOW", "PASS_PERIOD", "PERIOD", "ROTATION_SECRET", "World"]


@dataclass
class World(Codes):
    """Codes at ``NOW`` plus the stores and policy ``verify`` takes."""

    status: MemoryStatusSource = field(default_factory=MemoryStatusSource)
    replay: MemoryReplayStore = field(default_factory=MemoryReplayStore)
    options: Options = field(default_factory=lambda: Options(rotation_secret=ROTATION_SECRET))
