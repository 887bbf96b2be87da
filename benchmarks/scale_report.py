"""The Beijing-scale figures as the generated part of docs/benchmarks.md's "Beijing scale" section."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from .report import DOC, _command_version
from .report import machine as base_machine

__all__ = ["machine", "section", "write_section"]

START, END = "<!-- scale:start -->", "<!-- scale:end -->"


def machine() -> dict[str, Any]:
    """The benchmark report's machine description, plus the database and Redis servers used here."""
    described = base_machine()
    described["sqlite"] = sqlite3.sqlite_version
    described["postgresql"] = _command_version(["/usr/bin/pg_config", "--version"])
    return described


def _flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [pair for key, inner in value.items() for pair in _flatten(f"{prefix}.{key}" if prefix else key, inner)]
    return [(prefix, value)]


def _statuslist_table(figures: dict[str, Any]) -> list[str]:
    """One row per measured list; any other shape of figures as name-value pairs."""
    runs = [*figures.get("runs", []), *([figures["decade"]] if figures.get("decade") else [])]
    try:
        rows = [
            f"| {r['credentials']:,} | {r['not_active_share']:.0%} | {r['space']:,} | {r['published_bytes']:,} "
            f"| {r['issuer']['build_s']} + {r['issuer']['sign_and_serialise_s']} | {r['issuer']['peak_memory_mib']} "
            f"| {r['verifier']['total_s']} | {'yes' if r['verifier']['meets_goal'] else 'no'} "
            f"| {r['verifier']['held_bytes']:,} / {r['verifier']['peak_memory_mib']} |"
            for r in runs
        ]
    except (KeyError, TypeError, ValueError):
        rows = []
    if not rows:
        return ["| figure | value |", "|---|---:|", *(f"| {name} | {value} |" for name, value in _flatten("", figures))]
    return ["| positions in use | not active | index space | published bytes | issuer: build + sign s "
            "| issuer peak MiB | verifier: check + apply s | < 1 s | verifier holds bytes / peak MiB |",
            "|---:|---:|---:|---:|---:|---:|---:|---|---:|", *rows]


def section(summary: dict[str, Any]) -> str:
    m = summary["machine"]
    minutes = summary["seconds"] / 60
    took = (f"Took {minutes:.0f} minutes." if summary.get("complete", True)
            else f"**The run was still going after {minutes:.0f} minutes: the figures so far.**")
    lines = [
        f"Run of {m['date']} on {m['nproc']} cores ({m['cpu']}), Python {m['python']}, SQLite {m['sqlite']}, "
        f"{m['postgresql']}, {m['redis_server'].split(' sha=')[0]}; load average {m['load_average']:.1f} at the "
        f"start and {summary['load_average_end']:.1f} at the end (the two cores were shared with other work). "
        f"{took} Reproduce with `bash scripts/bench --scale`.",
    ]
    imported = summary.get("import")
    if imported:
        lines += [
            "",
            f"**Legacy import**, {imported['rows']:,} rows ({imported['export_bytes'] / 2**20:,.0f} MiB of UTF-8 "
            f"CSV, {imported['planted_defects']:,} planted defects), `issuer.migration.import_file`:",
            "",
            "| registry | seconds | rows per minute | goal ≥ 500,000/min | CPU-s importer + server "
            "| rows per CPU-minute | imported | rejected | report = planted defects |",
            "|---|---:|---:|---|---:|---:|---:|---:|---|",
        ]
        for backend in ("SQLite", "PostgreSQL"):
            r = imported.get(backend)
            if r is None:
                continue
            lines.append(
                f"| {backend} | {r['seconds']:,.0f} | {r['rows_per_min']:,} | {r['verdict']} "
                f"| {r['cpu_seconds']:,.0f} + {r['server_cpu_seconds']:,.0f} | {r['rows_per_cpu_min']:,} "
                f"| {r['imported']:,} | {r['rejected']:,} | {'yes' if r['report_matches'] else 'no'} |")
        lines += [""] + [f"{backend}: {imported[backend]['settings']}." for backend in ("SQLite", "PostgreSQL")
                         if backend in imported]
    statuslist = summary.get("statuslist")
    if statuslist:
        lines += ["", "**Status list** (`python -m benchmarks.scale_statuslist`; wall-clock seconds, best of its "
                      "repeats):", ""] + _statuslist_table(statuslist)
    replay = summary.get("replay")
    if replay:
        peak = summary["sizes"]["peak"]
        lines += ["", f"**Replay claims in Redis** for {peak:,} verifications per second, every claim of a "
                      "claim's lifetime held at once (`INFO memory` used_memory and `DBSIZE`, after minus before, "
                      "summed over the nodes):", "",
                  "| deployment | claims written | seconds to write | keys held when measured | bytes per key "
                  "| MiB for all the peak's claims |",
                  "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['deployment']} | {r['claims']:,} | {r['write_seconds']:,} | {r['keys_held']:,} "
                  f"| {r['bytes_per_claim']:,} | {r['used_memory_mb']:,} |" for r in replay]
    mint = summary.get("mint")
    if mint:
        lines += ["", f"**Minting** for {summary['sizes']['phones']:,} phones showing their permit at once "
                      f"(CPU time of this process):", "",
                  "| path | codes | codes per CPU-second | codes/s needed | cores needed |",
                  "|---|---:|---:|---:|---:|"]
        lines += [f"| {r['path']} | {r['codes']:,} | {r['per_cpu_second']:,} | {r['codes_per_s_needed']:,} "
                  f"(every {r['period_s']} s) | {r['cores_needed']} |" for r in mint]
    return "\n".join(lines) + "\n"


def write_section(summary: dict[str, Any], doc: Path = DOC) -> None:
    """Replace the generated part of the section (between its markers) with this run's figures."""
    text = doc.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise RuntimeError(f"{doc} has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    doc.write_text(f"{head}{START}\n{section(summary)}{END}{tail}", encoding="utf-8")
