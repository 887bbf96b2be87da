"""The signed status list at Beijing's size: 8 million credentials, 1 % and 5 % of them not active.

``python -m benchmarks.scale_statuslist`` prints one JSON object (progress goes
to stderr); ``bash scripts/bench --scale`` calls it. For each share of
non-active entries:

* the index space the allocator keeps for that many credentials (at most half
  full: issuer.status_index), so the list is as large as the issuer would publish;
* **issuer**: ``StatusList.build`` from the (index, status) pairs, then ``sign``
  (zlib level 9, Ed25519) and the JSON document as ``issuer.statuslist_publisher``
  serialises it: the published size and the time, in a process of its own;
* the same for ``DECADE`` indices in use (32 million: Beijing with a decade of
  changes, what wire v2's wider index is for), 5 % not active;
* **verifier**: what ``verifier.sync`` does with the fetched bytes, in a fresh
  process: ``StatusList.verify`` (JSON parse, base64url, signature over the
  compressed bytes, bounded inflate), ``MemoryStatusSource.load`` and one
  lookup; the goal is under 1 s. The network transfer is not measured (the
  machine has no network worth the name); the size is given, and the time at
  10 and 100 Mbit/s is computed from it.

Memory: the peak of the Python allocations of one more run of each step
(``tracemalloc``: the bitstring, the compressed and encoded copies, the parsed
JSON), and what the verifier keeps afterwards (the bitstring, ``held_bytes``).
The registry query that feeds the pairs (``Registry.status_entries``) is not
included: it reads only the non-active rows, and the import benchmark holds
the registry at this size.

Non-active entries are drawn at random positions, 60 % superseded (a change
of address), 30 % revoked, 10 % suspended: random positions are the worst
case for the compressor, as allocation is random. Times are wall-clock
seconds, best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.statuslist import FORMAT, MIN_SIZE, REVOKED, SUPERSEDED, SUSPENDED

__all__ = ["CREDENTIALS", "DECADE", "SHARES", "GOAL_VERIFIER_S", "measure", "space_for"]

CREDENTIALS = 8_000_000
SHARES = (0.01, 0.05)
#: Beijing's residents with a decade of changes: the positions wire v2 was widened for
DECADE = 32_000_000
GOAL_VERIFIER_S = 1.0
SEED = bytes(range(32))
NOW = 1_795_400_000
#: the mix of the non-active entries: (status, share)
MIX = ((SUPERSEDED, 0.6), (REVOKED, 0.3), (SUSPENDED, 0.1))


def space_for(used: int) -> int:
    """The index space the allocator keeps for ``used`` indices: doubled until at most half full."""
    space = MIN_SIZE
    while used > space // 2:
        space *= 2
    return space


def _entries(space: int, count: int, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    positions = rng.sample(range(space), count)
    out: list[tuple[int, int]] = []
    start = 0
    for status, share in MIX:
        end = start + round(count * share) if status != MIX[-1][0] else count
        out += [(index, int(status)) for index in positions[start:end]]
        start = end
    out.sort()  # the registry yields them by index
    return out


def _traced_peak_mib(step: Any) -> float:
    """The peak of the Python allocations while ``step()`` runs, in MiB (timed runs are untraced)."""
    tracemalloc.start()
    try:
        step()
        return round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    finally:
        tracemalloc.stop()


def _issuer(space: int, count: int, repeat: int, out_path: str) -> dict[str, Any]:
    """In a process of its own: build, sign and serialise; the document is left in ``out_path``."""
    from keys.statuslist import StatusList

    entries = _entries(space, count, seed=count)
    key = SigningKey(SEED)
    build_s, sign_s = [], []
    body = b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        status_list = StatusList.build(entries, size=space, issued_at=NOW, ttl=300)
        t1 = time.perf_counter()
        body = json.dumps(status_list.sign(key), separators=(",", ":"), sort_keys=True).encode("ascii")
        t2 = time.perf_counter()
        build_s.append(t1 - t0)
        sign_s.append(t2 - t1)
        del status_list
    Path(out_path).write_bytes(body)

    def once() -> None:
        built = StatusList.build(entries, size=space, issued_at=NOW, ttl=300)
        json.dumps(built.sign(key), separators=(",", ":"), sort_keys=True).encode("ascii")

    return {
        "build_s": round(min(build_s), 3),
        "sign_and_serialise_s": round(min(sign_s), 3),
        "total_s": round(min(b + s for b, s in zip(build_s, sign_s)), 3),
        "peak_memory_mib": _traced_peak_mib(once),
    }


def _verifier(doc_path: str, repeat: int, probe: int) -> dict[str, Any]:
    """In a fresh process: what the verifier's sync does with the fetched bytes."""
    from keys.statuslist import StatusList
    from verifier.status import MemoryStatusSource

    raw = Path(doc_path).read_bytes()
    key = SigningKey(SEED)
    keyset = KeySet([KeyInfo(key.kid, key.public_key, NOW - 86400, NOW + 86400)], NOW)
    source = MemoryStatusSource()
    verify_s, apply_s = [], []
    answer = -1
    for _ in range(repeat):
        t0 = time.perf_counter()
        status_list = StatusList.verify(raw, keyset, NOW)
        t1 = time.perf_counter()
        source.load(status_list, NOW)
        answer = source.status(probe)
        t2 = time.perf_counter()
        verify_s.append(t1 - t0)
        apply_s.append(t2 - t1)
        del status_list
    held = len(StatusList.verify(raw, keyset, NOW).bits)
    fresh = MemoryStatusSource()
    return {
        "parse_check_inflate_s": round(min(verify_s), 3),
        "apply_s": round(min(apply_s), 6),
        "total_s": round(min(v + a for v, a in zip(verify_s, apply_s)), 3),
        "held_bytes": held,
        "peak_memory_mib": _traced_peak_mib(lambda: fresh.load(StatusList.verify(raw, keyset, NOW), NOW)),
        "probe_status": answer,
    }


def _in_child(target: Any, *args: Any) -> dict[str, Any]:
    """``target(*args)`` in a fresh interpreter, so its memory is its own."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(target, args)


def measure(credentials: int = CREDENTIALS, share: float = 0.01, repeat: int = 3) -> dict[str, Any]:
    """The figures for one share of non-active entries."""
    space = space_for(credentials)
    count = round(credentials * share)
    with tempfile.TemporaryDirectory() as tmp:
        doc_path = str(Path(tmp) / "status.json")
        issuer = _in_child(_issuer, space, count, repeat, doc_path)
        size = Path(doc_path).stat().st_size
        probe = _entries(space, count, seed=count)[0][0]
        verifier = _in_child(_verifier, doc_path, repeat, probe)
    verifier["goal_s"] = GOAL_VERIFIER_S
    verifier["meets_goal"] = verifier["total_s"] < GOAL_VERIFIER_S
    return {
        "credentials": credentials,
        "not_active_share": share,
        "not_active": count,
        "space": space,
        "format": FORMAT,
        "bitstring_bytes": space // 4,
        "published_bytes": size,
        "transfer_s_at_10_mbit": round(size * 8 / 10e6, 2),
        "transfer_s_at_100_mbit": round(size * 8 / 100e6, 3),
        "issuer": issuer,
        "verifier": verifier,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=CREDENTIALS)
    parser.add_argument("--shares", type=float, nargs="+", default=list(SHARES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--decade", type=int, default=DECADE,
                        help="also measure this many indices in use, 5%% not active (0: skip)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    runs = []
    for share in args.shares:
        print(f"status list: {args.credentials:,} credentials, {share:.0%} not active ...", file=sys.stderr, flush=True)
        runs.append(measure(args.credentials, share, args.repeat))
    decade = None
    if args.decade:
        print(f"status list: {args.decade:,} indices in use, 5% not active ...", file=sys.stderr, flush=True)
        decade = measure(args.decade, 0.05, args.repeat)
    result = {
        "credentials": args.credentials,
        "runs": runs,
        "decade": decade,
        "all_meet_verifier_goal": all(r["verifier"]["meets_goal"] for r in [*runs, *([decade] if decade else [])]),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
