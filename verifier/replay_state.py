"""The embedded replay store across restarts of the verifier process.

The memory store dies with the process. A clean stop writes the claims still
inside their window to a small state file and the next start takes them back,
so a restart forgets nothing. A crash leaves the file saying "running": the
claims are lost, and the new store's replay epoch is the moment it starts, so
the codes that could have been accepted before the crash are refused (see
verifier.replay). No file at all is a first start: nothing can have been
accepted yet.

File (JSON): ``{"state": "running", "since": t}`` while serving;
``{"state": "stopped", "at": t, "epoch": e, "claims": [[hex key, until], ...]}``
after a clean stop. Anything unreadable counts as a crash.
"""

from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path
from typing import Any

from .replay import MemoryReplayStore

log = logging.getLogger("verifier.replay")


def _read(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        doc = json.loads(raw)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _write(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(doc, separators=(",", ":")), encoding="ascii")
    os.replace(temporary, path)


def open_memory_store(path: Path, now: float) -> MemoryReplayStore:
    """A memory store that knows what the previous run of this verifier left behind."""
    doc = _read(path)
    if doc is None:
        store = MemoryReplayStore()
    elif doc.get("state") == "stopped":
        try:
            epoch = float(doc.get("epoch", -math.inf))
            claims = [(bytes.fromhex(key), float(until)) for key, until in doc["claims"]]
        except (KeyError, TypeError, ValueError):
            store = _after_crash(now)
        else:
            store = MemoryReplayStore(epoch=epoch)
            store.restore(claims, now)
    else:
        store = _after_crash(now)
    _write(path, {"state": "running", "since": now})
    return store


def _after_crash(now: float) -> MemoryReplayStore:
    log.warning("the previous run did not stop cleanly: codes from before %.0f are refused", now)
    return MemoryReplayStore(epoch=now)


def save_memory_store(path: Path, store: MemoryReplayStore, now: float) -> None:
    """Written on a clean stop, after the last verdict."""
    claims = [[key.hex(), until] for key, until in store.held(now)]
    epoch: float | None = store.epoch if math.isfinite(store.epoch) else None
    doc: dict[str, Any] = {"state": "stopped", "at": now, "claims": claims}
    if epoch is not None:
        doc["epoch"] = epoch
    _write(path, doc)
