"""Beijing-scale figures by one command: ``bash scripts/bench --scale`` (``python -m benchmarks.scale``).

Four measurements, each printed as it finishes and gathered in var/bench/scale.json:

1. the legacy import of 8,000,000 rows on SQLite and on PostgreSQL
   (benchmarks/scale_import.py; goal at least 500,000 rows a minute);
2. the status list at 8 million credentials (``python -m benchmarks.scale_statuslist``,
   when that module is present);
3. Redis memory for the replay claims of a 5,000 verifications/s peak, single
   server and 3-node cluster (benchmarks/scale_replay.py);
4. the issuer's minting capacity for 100,000 phones showing their permit at once
   (benchmarks/scale_mint.py).

At the full sizes the figures replace the generated part of the "Beijing scale"
section of docs/benchmarks.md after every step (the import, by far the longest,
runs last); a run scaled down for a quick check (``--rows``,
``--peak``, ``--only``, ``--backends``) only prints them. Not part of the test run or CI: the full run
takes the better part of an hour on two cores and writes gigabytes to var/scale/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .scale_import import GOAL_ROWS_PER_MIN, ImportFigure, cached_export, import_postgresql, import_sqlite
from .scale_mint import PHONES, mint_capacity
from .scale_mint import describe as describe_mint
from .scale_replay import PEAK_PER_S, replay_memory
from .scale_replay import describe as describe_replay
from .scale_report import machine, write_section

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("replay", "mint", "statuslist", "import")
BACKENDS = ("sqlite", "postgresql")
FULL = {"rows": 8_000_000, "peak": PEAK_PER_S, "phones": PHONES, "mint_codes": 50_000, "http_requests": 3_000}


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bash scripts/bench --scale", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=FULL["rows"],
                        help="legacy rows to import, and credentials in the status list (8,000,000)")
    parser.add_argument("--peak", type=int, default=FULL["peak"], help="verifications per second (5,000)")
    parser.add_argument("--phones", type=int, default=FULL["phones"], help="phones showing at once (100,000)")
    parser.add_argument("--mint-codes", type=int, default=FULL["mint_codes"], help="codes minted in process")
    parser.add_argument("--http-requests", type=int, default=FULL["http_requests"],
                        help="GET /v1/holder/live requests through the app")
    parser.add_argument("--only", default=",".join(STEPS), help=f"comma-separated steps of {', '.join(STEPS)}")
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="the registries to import into: sqlite, postgresql or both (the default)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "scale",
                        help="where the export is kept and the SQLite registry written (gigabytes at full size)")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "scale.json")
    parser.add_argument("--no-progress", action="store_true", help="no import progress bar")
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(STEPS) | set(args.backends.split(",")) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown steps or backends: {', '.join(sorted(unknown))}")
    return args


def full_size(args: argparse.Namespace) -> bool:
    return (all(getattr(args, name) == value for name, value in FULL.items())
            and set(args.only.split(",")) == set(STEPS) and set(args.backends.split(",")) == set(BACKENDS))


def _say(text: str) -> None:
    print(text, flush=True)


def _import_entry(figure: ImportFigure) -> dict[str, Any]:
    entry = asdict(figure)
    entry["rows_per_min"] = round(figure.rows_per_min)
    entry["rows_per_cpu_min"] = round(figure.rows_per_cpu_min)
    entry["goal_rows_per_min"] = GOAL_ROWS_PER_MIN
    entry["verdict"] = "PASS" if figure.meets_goal else "MISS"
    return entry


def run_import(rows: int, workdir: Path, *, progress: bool = True, backends: Sequence[str] = BACKENDS,
               results: dict[str, Any] | None = None, after_each: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """The imports of the same export; ``results`` is filled as each ends, then ``after_each`` is called."""
    results = {} if results is None else results
    export = cached_export(workdir, rows)
    size = export.path.stat().st_size
    made = f"written in {export.seconds:.0f} s" if export.seconds else "kept from an earlier run"
    _say(f"export: {rows:,} rows, {export.planted:,} planted defects, {size / 2**20:,.0f} MiB, {made} ({export.path})")
    results.update({"rows": rows, "planted_defects": export.planted, "export_bytes": size})
    with tempfile.TemporaryDirectory(prefix="registry-", dir=workdir) as tmp:
        imports = {"sqlite": lambda: import_sqlite(export, Path(tmp), show_progress=progress),
                   "postgresql": lambda: import_postgresql(export, show_progress=progress)}
        for backend in backends:
            figure = imports[backend]()
            entry = _import_entry(figure)
            results[figure.backend] = entry
            _say(f"import {figure.backend}: {figure.rows:,} rows in {figure.seconds:,.1f} s = "
                 f"{figure.rows_per_min:,.0f} rows/min (goal {GOAL_ROWS_PER_MIN:,}); CPU: importer "
                 f"{figure.cpu_seconds:,.0f} s, database server {figure.server_cpu_seconds:,.0f} s, "
                 f"{figure.rows_per_cpu_min:,.0f} rows per CPU-minute; imported {figure.imported:,}, "
                 f"rejected {figure.rejected:,}, "
                 f"report {'matches' if figure.report_matches else 'DOES NOT MATCH'} the planted defects: "
                 f"{entry['verdict']}")
            after_each()
    return results


def run_statuslist(credentials: int) -> dict[str, Any] | None:
    """``python -m benchmarks.scale_statuslist``'s JSON object, or None when the module is not there.

    At another size than the full run's, once, for that many credentials, 1% not active.
    """
    if not (ROOT / "benchmarks" / "scale_statuslist.py").exists():
        _say("status list: benchmarks/scale_statuslist.py is not there; skipped")
        return None
    scaled = [] if credentials == FULL["rows"] else ["--credentials", str(credentials), "--shares", "0.01",
                                                      "--repeat", "1", "--decade", "0"]
    done = subprocess.run([sys.executable, "-m", "benchmarks.scale_statuslist", *scaled], cwd=ROOT,
                          stdout=subprocess.PIPE, text=True, check=True)
    text = done.stdout.strip()
    try:
        figures: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError:
        figures = json.loads(text[text.rindex("\n{") + 1:] if "\n{" in text else text[text.index("{"):])
    _say("status list: " + json.dumps(figures, ensure_ascii=False))
    return figures


def run_replay(peak: int) -> list[dict[str, Any]]:
    entries = []
    for figure in replay_memory(peak):
        entry = describe_replay(figure)
        entries.append(entry)
        _say(f"replay claims, {figure.deployment}: {figure.claims:,} claims ({peak:,}/s over their lifetime) "
             f"take {figure.megabytes:,.1f} MiB, {figure.bytes_per_claim:,.0f} bytes each (INFO memory)")
    return entries


def run_mint(codes: int, requests: int, phones: int) -> list[dict[str, Any]]:
    entries = []
    for figure in mint_capacity(codes, requests, phones):
        entry = describe_mint(figure)
        entries.append(entry)
        _say(f"minting, {figure.path}: {figure.per_cpu_second:,.0f} codes per CPU-second; {phones:,} phones "
             f"every {figure.period_s} s ask {figure.needed_per_s:,.0f}/s: {figure.cores:.2f} cores")
    return entries


def run(args: argparse.Namespace, checkpoint: Callable[[dict[str, Any]], None] = lambda summary: None
        ) -> dict[str, Any]:
    """The steps asked for, shortest first; ``checkpoint`` gets the figures so far after each one.

    The import comes last: at full size it takes most of the hour, and the
    figures before it are kept if it is stopped.
    """
    steps = set(args.only.split(","))
    summary: dict[str, Any] = {"machine": machine(), "full_size": full_size(args), "complete": False,
                               "sizes": {name: getattr(args, name) for name in FULL}}
    started = time.perf_counter()

    def done() -> None:
        summary["seconds"] = round(time.perf_counter() - started)
        summary["load_average_end"] = os.getloadavg()[0]
        checkpoint(summary)

    if "replay" in steps:
        summary["replay"] = run_replay(args.peak)
        done()
    if "mint" in steps:
        summary["mint"] = run_mint(args.mint_codes, args.http_requests, args.phones)
        done()
    if "statuslist" in steps:
        summary["statuslist"] = run_statuslist(args.rows)
        done()
    if "import" in steps:
        summary["import"] = {}
        run_import(args.rows, args.workdir, progress=not args.no_progress, backends=args.backends.split(","),
                   results=summary["import"], after_each=done)
    summary["complete"] = True
    done()
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if shutil.which("redis-server") is None:
        print("redis-server not found: run scripts/setup", file=sys.stderr)
        return 2

    def checkpoint(summary: dict[str, Any]) -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
        if summary["full_size"]:
            write_section(summary)

    summary = run(args, checkpoint)
    if summary["full_size"]:
        _say(f"figures written to docs/benchmarks.md and {args.out}")
    else:
        _say(f"scaled-down run: figures in {args.out} only (docs/benchmarks.md keeps the full run's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
