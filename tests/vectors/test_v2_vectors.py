"""The wire v2 vectors: pinned to their builder, every one gives its reason, a business sees what it says.

The file is the contract for other implementations (see its ``how`` field);
this test runs it against verifier.core and verifier.disclosure exactly as
described there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keys.keyset import KeySet
from keys.statuslist import REVOKED, SUPERSEDED, SUSPENDED, StatusList
from verifier.core import Options, verify
from verifier.disclosure import verdict_json
from verifier.replay import MemoryReplayStore
from verifier.status import MemoryStatusSource

from .build_v2 import build

FILE = Path(__file__).parent / "format-v2.json"
DOC = json.loads(FILE.read_text(encoding="utf-8"))
STATUS = {"REVOKED": REVOKED, "SUSPENDED": SUSPENDED, "SUPERSEDED": SUPERSEDED}
_LISTS: dict[str, StatusList] = {}


def test_the_file_is_what_the_builder_writes() -> None:
    assert DOC == json.loads(json.dumps(build(), ensure_ascii=False))


def _status(vector: dict[str, Any], now: float) -> MemoryStatusSource:
    statuses = vector.get("statuses", {})
    key = json.dumps(statuses, sort_keys=True)
    if key not in _LISTS:
        entries = [(int(ref), STATUS[name]) for ref, name in statuses.items()]
        _LISTS[key] = StatusList.build(entries, size=DOC["list_size"], issued_at=int(now), ttl=300)
    source = MemoryStatusSource()
    source.load(_LISTS[key], now)
    return source


@pytest.mark.parametrize("vector", DOC["vectors"], ids=[v["name"] for v in DOC["vectors"]])
def test_vector(vector: dict[str, Any]) -> None:
    now = float(vector.get("now", DOC["now"]))
    keyset = KeySet.loads(DOC["keyset"])
    status, replay = _status(vector, now), MemoryReplayStore()
    secret = bytes.fromhex(DOC["rotation_secret_hex"]) if vector.get("rotation_secret", True) else None
    options = Options(rotation_secret=secret)
    for earlier in vector.get("seen_before", []):
        verify(earlier, now, keyset, status, replay, options)
    verdict = verify(vector["text"], now, keyset, status, replay, options)
    assert verdict.reason == vector["expect"]
    if verdict.valid:
        assert verdict.claims is not None and verdict.claims.disclose == vector.get("disclose", 0)
        body = verdict_json(verdict, "business", 0.0)
        if "business_disclosed" in vector:
            assert body["disclosed"] == vector["business_disclosed"]
        else:
            assert "disclosed" not in body


def test_the_vectors_cover_every_mode_and_the_v1_reader() -> None:
    valid = [v for v in DOC["vectors"] if v["expect"] == "VALID"]
    assert {v.get("mode") for v in valid} >= {"MINTED", "PASS", "PAPER", "DEVICE"}
    assert any(v.get("version") == 1 for v in valid)
    assert all(bytes.fromhex(v["hex"])[0] == 2 for v in DOC["vectors"] if v.get("version") != 1
               and not v["name"].startswith(("a v2 code relabelled", "version 3")))


def test_the_format_document_shows_the_first_vector() -> None:
    text = (Path(__file__).parents[2] / "docs" / "format.md").read_text(encoding="utf-8")
    first = DOC["vectors"][0]
    assert first["text"] in text
    assert first["hex"].startswith("020156475aa70f072260150badf001312d012652070553" "83")
