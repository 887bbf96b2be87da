"""Bulk migration of a legacy export into the registry.

Three properties matter more than anything else here:

* **Nothing stops on a bad row.** Each rejected row is reported with its line
  number and defect code, and the import goes on; the office fixes the rows and
  runs the file again.
* **Running twice creates nothing twice.** Rows are keyed by card number (证件编号).
  A card imported before is reported as unchanged when the row is the same, or as
  `differs_from_import` when the export now says something else; the registry is
  never overwritten, because after migration it is the source of truth (holders
  may have been endorsed or changed since).
* **It is fast.** Rows are validated by a prepared validator and written in
  batches, each batch one transaction of a few `executemany` calls, with SQLite's
  cache and checkpoints set for bulk writes (`issuer.schema.bulk_writes`). A
  100,000-row file takes seconds, not minutes; the file is read as a stream, so
  millions of rows take no more memory than their card numbers.

Expired cards are imported (with status expired) because the export includes them
and a holder may still ask about one; they are counted separately.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import islice
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from issuer.legacy import ExportFormatError, LegacyRow, RowValidator, column_positions
from issuer.model import Status, timestamp
from keys.timekeeping import beijing_date
from issuer.progress import NullProgress, Progress
from issuer.registry import Registry
from issuer.schema import bulk_writes

__all__ = ["ExportFormatError", "ImportReport", "RowDefect", "import_file", "import_text"]

BATCH_SIZE = 20_000
_LOOKUP_CHUNK = 900  # stays under SQLite's bound-parameter limit on old builds


@dataclass(frozen=True)
class RowDefect:
    """One rejected row. `code` uses the vocabulary of the shared .defects files."""

    line: int
    code: str
    card_number: str | None


@dataclass(frozen=True)
class ImportReport:
    """What one run did. `read` = imported + unchanged + rejected; expired ⊆ imported."""

    source: str
    encoding: str
    read: int
    imported: int
    unchanged: int
    expired: int
    defects: tuple[RowDefect, ...]

    @property
    def rejected(self) -> int:
        return len(self.defects)

    def rejected_by_code(self) -> dict[str, int]:
        """Defect code -> count, most frequent first, for the summary."""
        codes = Counter(_family(d.code) for d in self.defects)
        return dict(sorted(codes.items(), key=lambda kv: (-kv[1], kv[0])))

    def defects_text(self) -> str:
        """`line<TAB>code` lines, the format of the shared .defects files."""
        return "".join(f"{d.line}\t{d.code}\n" for d in self.defects)

    def summary_lines(self) -> list[str]:
        """Human-readable summary, one fact per line (Chinese / English)."""
        lines = [
            f"文件 file: {self.source} ({self.encoding})",
            f"读取 read: {self.read}",
            f"导入 imported: {self.imported} (其中已过期 of which expired: {self.expired})",
            f"未变 unchanged (already present): {self.unchanged}",
            f"拒绝 rejected: {self.rejected}",
        ]
        lines += [f"  {code}: {n}" for code, n in self.rejected_by_code().items()]
        return lines


def import_file(
    registry: Registry,
    path: Path,
    *,
    actor: str,
    now: datetime,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import an export file (UTF-8 with or without BOM, or GBK), read as a stream.

    The file is read twice: once to learn its encoding and count its records (so
    the progress bar knows its total), then to import it. Neither pass holds the
    file in memory: a city's export of millions of rows is gigabytes as Python
    strings.
    """
    encoding, total = _survey(path)
    with path.open(encoding=encoding, newline="") as stream:
        return _import_stream(registry, stream, total, source=path.name, encoding=encoding,
                              actor=actor, now=now, progress=progress, batch_size=batch_size)


def import_text(
    registry: Registry,
    text: str,
    *,
    source: str,
    encoding: str = "utf-8",
    actor: str,
    now: datetime,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import decoded export text; `source` names it in reports and the audit log."""
    total = _count_records(io.StringIO(text, newline=""))
    return _import_stream(registry, io.StringIO(text, newline=""), total, source=source,
                          encoding=encoding, actor=actor, now=now, progress=progress,
                          batch_size=batch_size)


def _survey(path: Path) -> tuple[str, int]:
    """(encoding, data records) of an export file: UTF-8 (BOM or not) if it decodes, else GBK."""
    with path.open("rb") as raw:
        bom = raw.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
    for encoding in ("utf-8-sig" if bom else "utf-8", "gbk"):
        try:
            with path.open(encoding=encoding, newline="") as stream:
                return encoding, _count_records(stream)
        except UnicodeDecodeError:
            continue
    raise ExportFormatError("bad_encoding", "file is neither UTF-8 nor GBK")


def _count_records(stream: TextIO) -> int:
    """Data records (non-blank, header excluded) of an export, as the import will see them."""
    return max(0, sum(1 for _ in _records(stream)) - 1)


def _import_stream(
    registry: Registry,
    stream: TextIO,
    total: int,
    *,
    source: str,
    encoding: str,
    actor: str,
    now: datetime,
    progress: Progress | None,
    batch_size: int,
) -> ImportReport:
    bar = progress if progress is not None else NullProgress()
    records = _records(stream)
    first = next(records, None)
    if first is None:
        raise ExportFormatError("bad_header", "file is empty")
    header_line, header = first
    positions = column_positions(header)
    validator = RowValidator(positions, len(header), beijing_date(now))

    first_line: dict[str, int] = {}
    defects: list[RowDefect] = []
    read = imported = unchanged = expired = 0
    bar.start(total)
    try:
        with bulk_writes(registry.connection):
            while batch := list(islice(records, batch_size)):
                accepted: list[LegacyRow] = []
                for line, row in batch:
                    card = validator.card_number(row)
                    if card is not None and card in first_line:
                        defects.append(RowDefect(line, f"duplicate_of_line_{first_line[card]}", card))
                        continue
                    if card is not None:
                        first_line[card] = line
                    result = validator.check(line, row)
                    if isinstance(result, str):
                        defects.append(RowDefect(line, result, card))
                    else:
                        accepted.append(result)
                new, same, differing = _store(registry, accepted, source, actor, now)
                read += len(batch)
                imported += len(new)
                expired += sum(1 for r in new if r.credential.status is Status.EXPIRED)
                unchanged += same
                defects.extend(RowDefect(r.line, "differs_from_import", r.card_number)
                               for r in differing)
                bar.advance(len(batch))
    finally:
        bar.finish()

    defects.sort(key=lambda d: d.line)
    report = ImportReport(source, encoding, read, imported, unchanged, expired, tuple(defects))
    with registry.transaction():
        registry.record_audit(
            actor=actor, operation="import.run", cred_id=None, now=now,
            details={"source": source, "encoding": encoding, "read": report.read,
                     "imported": imported, "unchanged": unchanged, "expired": expired,
                     "rejected": report.rejected_by_code(), "header_line": header_line},
        )
    return report


def _records(stream: TextIO) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for every non-blank record; header included."""
    reader = csv.reader(stream)
    line = 1
    for row in reader:
        if row and (row[0].strip() or any(field.strip() for field in row)):
            yield line, row
        line = reader.line_num + 1


def _store(
    registry: Registry,
    rows: Sequence[LegacyRow],
    source: str,
    actor: str,
    now: datetime,
) -> tuple[list[LegacyRow], int, list[LegacyRow]]:
    """Insert the rows not imported before: (new rows, unchanged count, differing rows).

    The lookup of earlier imports happens inside the write transaction, so two
    imports of the same file running at once cannot both insert a card.
    """
    if not rows:
        return [], 0, []
    with registry.transaction() as conn:
        known: dict[str, str] = {}
        cards = [r.card_number for r in rows]
        for i in range(0, len(cards), _LOOKUP_CHUNK):
            chunk = cards[i : i + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            known.update(conn.execute(
                f"SELECT card_number, fingerprint FROM legacy_imports "
                f"WHERE card_number IN ({marks})",
                chunk,
            ).fetchall())
        new = [r for r in rows if r.card_number not in known]
        differing = [r for r in rows if r.card_number in known
                     and known[r.card_number] != r.fingerprint]
        same = len(rows) - len(new) - len(differing)
        if new:
            ids = registry.insert_many(
                [r.credential for r in new], actor=actor, now=now, operation="import",
                details=[{"card_number": r.card_number, "source": source, "line": r.line}
                         for r in new],
            )
            at = timestamp(now)
            conn.executemany(
                "INSERT INTO legacy_imports (card_number, cred_id, fingerprint, source, "
                "source_line, imported_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(r.card_number, cid, r.fingerprint, source, r.line, at)
                 for r, cid in zip(new, ids, strict=True)],
            )
    return new, same, differing


def _family(code: str) -> str:
    """Group `duplicate_of_line_N` codes under one heading in the summary."""
    return "duplicate" if code.startswith("duplicate_of_line_") else code
