"""Where a server's CPU goes under load: py-spy samples, sorted into the parts of a request.

A target that misses must say what dominates. The bench attaches py-spy (a
sampling profiler that reads the process from outside, so the server runs its
normal code at nearly its normal speed) to the verifier while wrk loads it, and
files every sample under the first part of the request found walking its stack
from the innermost frame out: time inside libsodium is the signature's, time in
``json`` is JSON's whoever called it, and so on.
Idle time (the event loop waiting) is not sampled.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

#: (part, path fragments of the frames it owns), tried in this order for each frame
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Ed25519 signature (libsodium via PyNaCl)", ("nacl/",)),
    ("wire decoding and checks (verifier.core, keys/)", ("verifier/core", "verifier/pipeline", "keys/")),
    ("replay, status and guess stores", ("verifier/replay", "verifier/status", "verifier/guesses")),
    ("audit record and metrics", ("verifier/audit", "verifier/metrics", "prometheus_client/")),
    ("JSON (request bodies, verdicts)", ("json/", "orjson")),
    ("verdict rendering (verifier.disclosure)", ("verifier/disclosure",)),
    ("service and request handling (verifier/)", ("verifier/", "benchmarks/serve")),
    ("ASGI framework (Starlette)", ("starlette/",)),
    ("HTTP server (uvicorn, httptools, uvloop, asyncio)", ("uvicorn/", "httptools", "uvloop", "asyncio/")),
)
OTHER = "other (interpreter, logging, libraries)"


def part_of(stack: str) -> str:
    """The part a sampled stack (py-spy raw: frames root first, ``;``-separated) belongs to."""
    frames = stack.split(";")
    for frame in reversed(frames):
        for part, fragments in PARTS:
            if any(f in frame for f in fragments):
                return part
    return OTHER


def parse_raw(text: str) -> Counter[str]:
    """Samples per part from py-spy's ``--format raw`` output (``stack count`` per line)."""
    parts: Counter[str] = Counter()
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            parts[part_of(stack)] += int(count)
    return parts


def start(pid: int, seconds: int, rate: int = 250) -> tuple[subprocess.Popen[bytes], Path] | str:
    """py-spy recording ``pid`` (and its worker processes) for ``seconds``; a reason string if it cannot run."""
    beside = Path(sys.executable).with_name("py-spy")
    spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if spy is None:
        return "py-spy not installed (scripts/setup installs it)"
    out = Path(tempfile.mkstemp(suffix=".pyspy")[1])
    proc = subprocess.Popen([spy, "record", "--format", "raw", "--nonblocking", "--subprocesses",
                             "-r", str(rate), "-d", str(seconds), "-o", str(out), "-p", str(pid)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return proc, out


def finish(started: tuple[subprocess.Popen[bytes], Path] | str) -> dict[str, Any]:
    """The shares per part (fractions of all samples), or the reason there are none."""
    if isinstance(started, str):
        return {"error": started}
    proc, out = started
    try:
        log, _ = proc.communicate(timeout=120)
        parts = parse_raw(out.read_text(encoding="utf-8", errors="replace")) if out.exists() else Counter()
    finally:
        out.unlink(missing_ok=True)
    total = sum(parts.values())
    if not total:
        return {"error": f"py-spy gave no samples: {log.decode(errors='replace')[-300:]}"}
    return {"samples": total, "shares": {p: n / total for p, n in parts.most_common()}}
