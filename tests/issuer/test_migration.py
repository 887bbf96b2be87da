from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from issuer.legacy import COLUMNS, ExportFormatError, decode_export
from issuer.migration import import_file, import_text
from issuer.model import Status
from issuer.registry import Registry
from tests.fixtures.legacy_export import synthetic_export
from tests.issuer.clock import CLERK, NOW, TODAY


@pytest.fixture
def registry(registry_any: Registry) -> Registry:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return registry_any


SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SAMPLE = SHARED_DATA / "legacy_permits_sample.csv"


@pytest.fixture
def sample() -> Path:
    if not SAMPLE.is_file() or not SAMPLE.with_name(SAMPLE.name + ".defects").is_file():
        pytest.fail(f"shared sample data missing: expected {SAMPLE} and its .defects file")
    return SAMPLE


def test_sample_report_matches_defects_file_exactly(registry: Registry, sample: Path) -> None:
    expected = sample.with_name(sample.name + ".defects").read_text(encoding="utf-8")
    report = import_file(registry, sample, actor=CLERK, now=NOW)
    assert report.defects_text() == expected
    assert report.encoding == "utf-8-sig"
    assert (report.read, report.imported, report.unchanged, report.rejected) == (302, 285, 0, 17)
    assert report.expired == 38  # valid_until before 2026-11-23
    assert registry.count() == 285


def test_sample_twice_creates_nothing_twice(registry: Registry, sample: Path) -> None:
    first = import_file(registry, sample, actor=CLERK, now=NOW)
    second = import_file(registry, sample, actor=CLERK, now=NOW)
    assert second.imported == 0 and second.expired == 0
    assert second.unchanged == first.imported
    assert second.defects == first.defects
    assert registry.count() == first.imported


def test_expired_cards_are_imported_as_expired(registry: Registry, sample: Path) -> None:
    import_file(registry, sample, actor=CLERK, now=NOW)
    card = registry.get_by_card_number("DJK201800000002", today=TODAY)  # until 2021-12-21
    assert card is not None and card.status is Status.EXPIRED
    live = registry.get_by_card_number("DJK201900000001", today=TODAY)
    assert live is not None and live.status is Status.ACTIVE
    assert live.valid_from == live.issued_on
    stored = registry.connection.execute(
        "SELECT count(*) FROM credentials WHERE status = 'expired'").fetchone()[0]
    assert stored == 38
    assert list(registry.status_entries()) == []  # expiry travels in the claims


def test_import_is_audited_without_id_numbers(registry: Registry, sample: Path) -> None:
    import_file(registry, sample, actor=CLERK, now=NOW)
    card = registry.get_by_card_number("JZZ201900000003", today=TODAY)
    assert card is not None
    [entry] = registry.audit_entries(card.cred_id)
    assert entry.operation == "import" and entry.actor == CLERK
    assert entry.details == {"card_number": "JZZ201900000003", "line": 4,
                             "source": "legacy_permits_sample.csv"}
    run = registry.audit_entries()[-1]
    assert run.operation == "import.run" and run.details["imported"] == 285
    details = "".join(r[0] for r in registry.connection.execute("SELECT details FROM audit_log"))
    assert "370102200108155118" not in details


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_generated_file_with_bad_rows_twice(
    registry: Registry, tmp_path: Path, encoding: str
) -> None:
    export = synthetic_export(600, seed=11, defect_rate=0.15)
    assert len(set(export.defects.values())) >= 8  # most defect kinds are planted
    path = tmp_path / "export.csv"
    path.write_bytes(export.to_bytes(encoding))
    first = import_file(registry, path, actor=CLERK, now=NOW)
    assert first.encoding == encoding
    assert first.defects_text() == export.defects_text()
    assert first.imported == 600 - len(export.defects)
    second = import_file(registry, path, actor=CLERK, now=NOW)
    assert (second.imported, second.unchanged) == (0, first.imported)
    assert second.defects_text() == export.defects_text()
    assert registry.count() == first.imported


def test_same_content_in_other_encoding_is_unchanged(registry: Registry, tmp_path: Path) -> None:
    export = synthetic_export(50, seed=3)
    (tmp_path / "a.csv").write_bytes(export.to_bytes("utf-8-sig"))
    (tmp_path / "b.csv").write_bytes(export.to_bytes("gbk"))
    import_file(registry, tmp_path / "a.csv", actor=CLERK, now=NOW)
    report = import_file(registry, tmp_path / "b.csv", actor=CLERK, now=NOW)
    assert (report.imported, report.unchanged, report.rejected) == (0, 50, 0)


def test_edited_row_is_reported_not_overwritten(registry: Registry) -> None:
    export = synthetic_export(3, seed=5)
    text = _csv(export.rows)
    import_text(registry, text, source="a.csv", actor=CLERK, now=NOW)
    rows = [list(r) for r in export.rows]
    rows[2][4] = "北京市东城区某某路1号"
    report = import_text(registry, _csv(rows), source="b.csv", actor=CLERK, now=NOW)
    assert report.defects_text() == "3\tdiffers_from_import\n"
    card = registry.get_by_card_number(rows[2][0], today=TODAY)
    assert card is not None and card.address == export.rows[2][4]


def test_columns_may_come_in_any_order(registry: Registry) -> None:
    export = synthetic_export(20, seed=9)
    order = list(range(len(COLUMNS)))
    random.Random(1).shuffle(order)
    rows = [[row[i] for i in order] for row in export.rows]
    report = import_text(registry, _csv(rows), source="x.csv", actor=CLERK, now=NOW)
    assert (report.imported, report.rejected) == (20, 0)


def test_blank_lines_are_skipped_but_line_numbers_stay_physical(registry: Registry) -> None:
    export = synthetic_export(2, seed=1)
    header, first, second = (",".join(r) for r in export.rows)
    broken = second.replace(",居住", ",暂住", 1)
    text = f"{header}\r\n\r\n{first}\r\n   \r\n{broken}\r\n\r\n"
    report = import_text(registry, text, source="x.csv", actor=CLERK, now=NOW)
    assert report.read == 2
    assert report.defects_text() == "5\tbad_type\n"


def test_more_defect_codes(registry: Registry) -> None:
    export = synthetic_export(1, seed=2)
    header, row = export.rows
    cases = {
        "": "empty_card_number",
        "JZZ-1": "bad_card_number",
    }
    rows = [list(header)]
    for card in cases:
        rows.append([card, *row[1:]])
    rows.append([f"{row[0]}9", *row[1:4], "", *row[5:]])
    rows.append([f"{row[0]}8", *row[1:6], "2099-01-01", "2100-01-01"])
    rows.append([f"{row[0]}7", *row[1:6], "2020/01/01", row[7]])
    rows.append([f"{row[0]}6", *row[1:3], row[3][:-2], *row[4:]])
    report = import_text(registry, _csv(rows), source="x.csv", actor=CLERK, now=NOW)
    assert [d.code for d in report.defects] == [
        "empty_card_number", "bad_card_number", "empty_address", "issued_in_future",
        "bad_date", "bad_length",
    ]
    assert report.rejected_by_code()["bad_date"] == 1


def test_file_level_problems_stop_before_any_row(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(ExportFormatError) as info:
        import_text(registry, "a,b,c\r\n1,2,3\r\n", source="x", actor=CLERK, now=NOW)
    assert info.value.code == "bad_header"
    with pytest.raises(ExportFormatError):
        import_text(registry, "", source="x", actor=CLERK, now=NOW)
    path = tmp_path / "junk.csv"
    path.write_bytes(b"\xff\xfe\xff\xff")
    with pytest.raises(ExportFormatError) as info:
        import_file(registry, path, actor=CLERK, now=NOW)
    assert info.value.code == "bad_encoding"
    assert registry.count() == 0


def test_decode_export_detects_encodings() -> None:
    assert decode_export("姓名".encode("gbk")) == ("姓名", "gbk")
    assert decode_export("\ufeff姓名".encode()) == ("姓名", "utf-8-sig")
    assert decode_export("姓名".encode()) == ("姓名", "utf-8")


def test_five_thousand_rows_are_imported_correctly(registry: Registry) -> None:
    export = synthetic_export(5000, seed=42, defect_rate=0.02)

    class Recorder:
        total = 0
        done = 0
        finished = False

        def start(self, total: int) -> None:
            self.total = total

        def advance(self, count: int) -> None:
            self.done += count

        def finish(self) -> None:
            self.finished = True

    progress = Recorder()
    report = import_text(registry, _csv(export.rows), source="big.csv", actor=CLERK, now=NOW,
                         progress=progress, batch_size=700)
    assert report.defects_text() == export.defects_text()
    assert progress.total == progress.done == 5000 and progress.finished
    assert registry.count() == report.imported == 5000 - len(export.defects)
    conn = registry.connection
    distinct = conn.execute(
        "SELECT count(DISTINCT status_index), count(DISTINCT cred_id), "
        "count(DISTINCT card_number) FROM credentials").fetchone()
    assert distinct == (report.imported,) * 3
    assert conn.execute("SELECT count(*) FROM status_indices").fetchone()[0] == report.imported
    assert conn.execute("SELECT count(*) FROM legacy_imports").fetchone()[0] == report.imported
    # Spot-check that every field arrived intact.
    for row in random.Random(0).sample(export.rows[1:], 50):
        card = registry.get_by_card_number(row[0], today=TODAY)
        if card is None:
            continue  # a planted defect
        assert (card.permit_type.name_zh, card.holder_name, card.id_number, card.address,
                card.district.name_zh, card.issued_on.isoformat(),
                card.valid_until.isoformat()) == tuple(row[1:])


def _csv(rows: Iterable[Sequence[str]]) -> str:
    return "".join(",".join(r) + "\r\n" for r in rows)


def test_a_file_registry_gets_its_everyday_settings_back_after_an_import(tmp_path: Path) -> None:
    export = synthetic_export(300, seed=8, defect_rate=0.05)
    path = tmp_path / "export.csv"
    path.write_bytes(export.to_bytes())
    with Registry(tmp_path / "registry.sqlite3") as registry:
        conn = registry.connection
        before = [conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "wal_autocheckpoint")]
        report = import_file(registry, path, actor=CLERK, now=NOW, batch_size=100)
        after = [conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "wal_autocheckpoint")]
        assert report.defects_text() == export.defects_text()
        assert after == before == [-32768, 1000]
