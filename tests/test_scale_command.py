"""The Beijing-scale command (benchmarks/scale.py) run at a tiny size, so it cannot rot unseen.

Real components throughout: a SQLite file and a PostgreSQL server for the import,
a redis-server and a 3-master Redis Cluster for the replay claims, the issuer's
app for minting. The figures' values are the machine's; what is checked is that
every step measured what it says (the import's report matches the planted
defects, every claim was written and is held, codes were minted) and that the
docs section is rendered from them.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.scale import main, parse_args, run, run_import
from benchmarks.scale_replay import claim_lifetime_s
from benchmarks.scale_report import END, START, write_section
from verifier.config import Config


def test_scaled_down_run_measures_every_step(tmp_path: Path) -> None:
    args = parse_args(["--rows", "1000", "--peak", "20", "--phones", "1000", "--mint-codes", "300",
                       "--http-requests", "20", "--no-progress",
                       "--workdir", str(tmp_path / "work"), "--out", str(tmp_path / "scale.json")])
    seen: list[set[str]] = []
    summary = run(args, lambda so_far: seen.append(set(so_far)))
    assert not summary["full_size"] and summary["complete"]
    # The figures so far after every step and each import, the import last.
    assert [sorted(keys & {"replay", "mint", "statuslist", "import"}) for keys in seen] == [
        ["replay"], ["mint", "replay"], ["mint", "replay", "statuslist"], *[["import", "mint", "replay", "statuslist"]] * 3]

    imported = summary["import"]
    assert imported["planted_defects"] > 0
    for backend in ("SQLite", "PostgreSQL"):
        figure = imported[backend]
        assert figure["rows"] == 1000 and figure["report_matches"]
        assert figure["imported"] + figure["rejected"] == 1000
        assert figure["rows_per_min"] > 0 and figure["rows_per_cpu_min"] > 0
    assert imported["SQLite"]["server_cpu_seconds"] == 0  # SQLite runs in the importer's process
    # The export is kept for the next run (with its planted defects); the registry file is removed.
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == [
        "legacy-export-1000-2026.csv", "legacy-export-1000-2026.csv.defects"]
    again = run_import(1000, tmp_path / "work", progress=False)
    assert again["SQLite"]["report_matches"] and again["planted_defects"] == imported["planted_defects"]

    claims = int(20 * claim_lifetime_s(Config())) - 1  # the first claim opens the connection, uncounted
    single, cluster = summary["replay"]
    assert single["claims"] == cluster["claims"] == claims
    assert single["keys_held"] == claims + 2  # the uncounted claim and the epoch marker
    assert cluster["keys_held"] == claims + 1 + 256  # one epoch marker per hash tag
    for figure in (single, cluster):  # written in far less than a claim's lifetime: none expired
        assert figure["bytes_per_claim"] > 0
        assert abs(figure["used_memory_mb"] - figure["bytes_per_claim"] * claims / 2**20) <= 0.1 + claims / 2**21

    in_process, over_app = summary["mint"]
    assert in_process["codes"] == 300 and over_app["codes"] == 20
    assert in_process["per_cpu_second"] > over_app["per_cpu_second"] > 0
    assert in_process["codes_per_s_needed"] == round(1000 / 15)

    (statuslist,) = summary["statuslist"]["runs"]
    assert statuslist["credentials"] == 1000 and statuslist["verifier"]["probe_status"] != 0

    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\n{START}\nold figures\n{END}\n\nafter\n", encoding="utf-8")
    write_section(summary, doc)
    text = doc.read_text(encoding="utf-8")
    assert "old figures" not in text and text.endswith(f"{END}\n\nafter\n")
    assert f"| SQLite | {imported['SQLite']['seconds']:,.0f} |" in text
    assert f"| single redis-server | {claims:,} | {single['write_seconds']:,} | {claims + 2:,} |" in text
    assert f"| 1,000 | 1% | {statuslist['space']:,} | {statuslist['published_bytes']:,} |" in text


def test_a_scaled_down_run_leaves_the_docs_alone(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    written: list[object] = []
    monkeypatch.setattr("benchmarks.scale.write_section", written.append)
    out = tmp_path / "scale.json"
    assert main(["--only", "mint", "--mint-codes", "10", "--http-requests", "2", "--workdir", str(tmp_path), "--out",
                 str(out)]) == 0
    assert out.exists() and written == []
