"""The negative and boundary vectors: pinned to their builder, and every one gives its reason.

The file is the contract for other implementations (see its ``how`` field);
this test runs it against verifier.core exactly as described there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keys.keyset import KeySet
from keys.statuslist import REVOKED, SUPERSEDED, SUSPENDED
from verifier.core import Options, verify
from verifier.replay import MemoryReplayStore
from verifier.status import MemoryStatusSource

from .build_negative import build

FILE = Path(__file__).parent / "negative-v1.json"
DOC = json.loads(FILE.read_text(encoding="utf-8"))
STATUS = {"REVOKED": REVOKED, "SUSPENDED": SUSPENDED, "SUPERSEDED": SUPERSEDED}


def test_the_file_is_what_the_builder_writes() -> None:
    assert DOC == json.loads(json.dumps(build(), ensure_ascii=False))


def test_every_reason_code_has_a_vector() -> None:
    assert {v["expect"] for v in DOC["vectors"]} == set(DOC["reasons"])


@pytest.mark.parametrize("vector", DOC["vectors"], ids=[v["name"] for v in DOC["vectors"]])
def test_vector(vector: dict[str, Any]) -> None:
    now = float(vector["now"])
    keyset = KeySet.loads(DOC["keyset"])
    statuses = {int(ref): STATUS[name] for ref, name in vector.get("statuses", {}).items()}
    status = MemoryStatusSource(statuses, updated_at=now - vector.get("status_age_s", 0))
    replay = MemoryReplayStore(epoch=vector.get("replay_epoch", float("-inf")))
    secret = bytes.fromhex(DOC["rotation_secret_hex"]) if vector.get("rotation_secret", True) else None
    options = Options(rotation_secret=secret, max_status_age_s=DOC["max_status_age_s"])
    for earlier in vector.get("seen_before", []):
        verify(earlier, now, keyset, status, replay, options)
    assert verify(vector["text"], now, keyset, status, replay, options).reason == vector["expect"]
