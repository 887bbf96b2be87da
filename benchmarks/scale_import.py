"""The legacy import at a city's size: a synthetic export written to disk, imported into SQLite and PostgreSQL.

The export has the shape of the physical permits' export (docs: /work/shared/data/README.md):
UTF-8 with a BOM, CRLF, one card a row, about 1% of the rows carrying a planted defect
(duplicates among them), generated from a seed by ``tests.fixtures.legacy_export``, so
every run imports the same rows and the report can be checked line by line against
the planted defects. The import is ``issuer.migration.import_file``, the command line's
own, with its progress bar; it is timed from the first byte read to the last commit.

PostgreSQL is Debian's, started here in a temporary directory on a free port, with
durability on (fsync, synchronous commit, full page writes: the test suite's server
turns them off, a registry would not) and buffers sized for a table of millions of
rows; the settings are printed with the figures.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from issuer.legacy import COLUMNS
from issuer.migration import import_file
from issuer.progress import NullProgress, Progress, TqdmProgress
from issuer.registry import Registry
from keys.timekeeping import BEIJING
from tests.fixtures.legacy_export import synthetic_rows

__all__ = ["GOAL_ROWS_PER_MIN", "POSTGRES_SETTINGS", "Export", "ImportFigure", "cached_export", "import_postgresql",
           "import_sqlite", "write_export"]

#: issue 11: at least 500,000 rows a minute
GOAL_ROWS_PER_MIN = 500_000
SEED = 2026
DEFECT_RATE = 0.01
#: planted duplicates copy one of this many rows before them (the generator holds no more)
RECALL = 100_000
#: the import's "today": every card issued 2016-2020, some expired by then
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING)
#: durability as a registry would run it, buffers for millions of rows
POSTGRES_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "shared_buffers": "1GB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
}


@dataclass(frozen=True)
class Export:
    """A written export and what its report must say."""

    path: Path
    rows: int
    defects_text: str
    seconds: float

    @property
    def planted(self) -> int:
        return self.defects_text.count("\n")


@dataclass(frozen=True)
class ImportFigure:
    backend: str
    rows: int
    imported: int
    rejected: int
    seconds: float
    cpu_seconds: float
    server_cpu_seconds: float
    report_matches: bool
    settings: str

    @property
    def rows_per_min(self) -> float:
        return self.rows / self.seconds * 60 if self.seconds else 0.0

    @property
    def rows_per_cpu_min(self) -> float:
        """Rows a minute of the CPU the import took (importer and database server together)."""
        cpu = self.cpu_seconds + self.server_cpu_seconds
        return self.rows / cpu * 60 if cpu else 0.0

    @property
    def meets_goal(self) -> bool:
        return self.report_matches and self.rows_per_min >= GOAL_ROWS_PER_MIN


def write_export(path: Path, rows: int, *, seed: int = SEED) -> Export:
    """``rows`` data rows in the export's format (UTF-8 with BOM, CRLF), written as they are made.

    The planted defects go to ``<path>.defects`` (the format of the shared sample's).
    """
    started = time.perf_counter()
    defects: list[str] = []
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for line, row, defect in synthetic_rows(rows, seed=seed, defect_rate=DEFECT_RATE, recall=RECALL):
            writer.writerow(row)
            if defect is not None:
                defects.append(f"{line}\t{defect}\n")
    _defects_path(path).write_text("".join(defects), encoding="utf-8")
    partial.rename(path)
    return Export(path, rows, "".join(defects), time.perf_counter() - started)


def cached_export(directory: Path, rows: int, *, seed: int = SEED) -> Export:
    """The export of ``rows`` rows kept in ``directory`` from an earlier run, else written now.

    Writing 8 million rows takes minutes; the rows depend only on the count and the
    seed, both in the file's name.
    """
    path = directory / f"legacy-export-{rows}-{seed}.csv"
    if path.exists() and _defects_path(path).exists():
        return Export(path, rows, _defects_path(path).read_text(encoding="utf-8"), 0.0)
    directory.mkdir(parents=True, exist_ok=True)
    return write_export(path, rows, seed=seed)


def _defects_path(path: Path) -> Path:
    return path.with_name(path.name + ".defects")


def _bar(backend: str, show: bool) -> Progress:
    return TqdmProgress(sys.stderr, description=f"import {backend}") if show else NullProgress()


def _tree_cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) of a process and its children now: a PostgreSQL server's, backends included."""
    if pid is None:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _timed_import(registry: Registry, export: Export, backend: str, settings: str, show: bool,
                  server_pid: int | None = None) -> ImportFigure:
    server = _tree_cpu_seconds(server_pid)
    wall, cpu = time.perf_counter(), time.process_time()
    report = import_file(registry, export.path, actor="scale-benchmark", now=NOW, progress=_bar(backend, show))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server = _tree_cpu_seconds(server_pid) - server
    return ImportFigure(backend, report.read, report.imported, report.rejected, wall, cpu, server,
                        report.defects_text() == export.defects_text, settings)


def import_sqlite(export: Export, workdir: Path, *, show_progress: bool = True) -> ImportFigure:
    """Into a fresh registry file in ``workdir`` (removed afterwards: millions of rows are gigabytes)."""
    path = workdir / "registry.sqlite3"
    try:
        with Registry(path) as registry:
            return _timed_import(registry, export, "SQLite", "WAL, synchronous=NORMAL (the registry's own)",
                                 show_progress)
    finally:
        for leftover in workdir.glob("registry.sqlite3*"):
            leftover.unlink()


def import_postgresql(export: Export, *, show_progress: bool = True) -> ImportFigure:
    """Into a PostgreSQL server started for this run and stopped after it."""
    from tests.fixtures.postgres_server import PostgresServer

    with PostgresServer(POSTGRES_SETTINGS) as server:
        with Registry(server.create_database()) as registry:
            version = registry.connection.execute("SHOW server_version").fetchone()[0]
            settings = f"PostgreSQL {version}, " + ", ".join(f"{k}={v}" for k, v in POSTGRES_SETTINGS.items())
            assert server.proc is not None
            return _timed_import(registry, export, "PostgreSQL", settings, show_progress, server.proc.pid)
