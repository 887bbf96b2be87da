"""benchmarks/scale_statuslist.py at a tiny size, so it cannot rot unseen: its figures measure what they say."""

from __future__ import annotations

import json

import pytest

from benchmarks.scale_statuslist import main, measure, space_for
from keys.statuslist import MIN_SIZE


def test_the_allocators_space() -> None:
    assert space_for(1) == MIN_SIZE
    assert space_for(8_000_000) == 1 << 24 and space_for(8_400_000) == 1 << 25 and space_for(32_000_000) == 1 << 26


def test_a_tiny_run_measures_every_figure() -> None:
    figure = measure(100_000, 0.05, repeat=1)
    assert (figure["space"], figure["not_active"], figure["format"]) == (1 << 18, 5000, "permit-status/2")
    assert figure["bitstring_bytes"] == 1 << 16 and 0 < figure["published_bytes"] < figure["bitstring_bytes"]
    issuer, verifier = figure["issuer"], figure["verifier"]
    assert issuer["total_s"] >= issuer["build_s"] >= 0 and issuer["peak_memory_mib"] >= 0
    assert verifier["held_bytes"] == 1 << 16 and verifier["probe_status"] in (1, 2, 3)  # a non-active index read back
    assert verifier["meets_goal"] is (verifier["total_s"] < verifier["goal_s"])


def test_the_command_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--credentials", "50000", "--shares", "0.01", "--repeat", "1", "--decade", "0"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["credentials"] == 50_000 and len(printed["runs"]) == 1 and printed["decade"] is None
