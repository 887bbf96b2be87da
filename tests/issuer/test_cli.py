from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import types
from datetime import datetime
from pathlib import Path

import pytest

from issuer.cli import main
from keys.timekeeping import BEIJING
from tests.issuer.clock import NOW
from tests.issuer.idgen import make_id
from tests.issuer.test_migration import SAMPLE

ROOT = Path(__file__).resolve().parents[2]


class Run:
    def __init__(self, db: Path) -> None:
        self.db = db

    def __call__(self, *argv: str, now: datetime = NOW) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main([*argv, "--db", str(self.db), "--actor", "clerk:cli"] if argv[0] != "serve"
                    else list(argv), now=now, stdout=out, stderr=err)
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path / "db" / "registry.sqlite3")


def issue(run: Run, **extra: str) -> str:
    args = {"--type": "registration-card", "--name": "赵六", "--id-number": make_id(),
            "--address": "北京市通州区1号", "--district": "通州区", **extra}
    code, out, err = run("issue", *[x for kv in args.items() for x in kv])
    assert code == 0, err
    match = re.search(r"cred_id:\s+([0-9a-f]{16})", out)
    assert match
    return match.group(1)


def test_import_twice_and_report(run: Run, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    code, out, err = run("import", str(SAMPLE), "--report", str(report))
    assert code == 0
    assert "line 22: unknown_district (JZZ201800000021)" in out
    assert "imported: 285 (其中已过期 of which expired: 38)" in out
    assert err == ""  # no bar when stderr is not a terminal
    assert report.read_text() == SAMPLE.with_name(SAMPLE.name + ".defects").read_text()
    assert run.db.is_file()
    code, out, _ = run("import", str(SAMPLE), "--quiet")
    assert code == 0 and "unchanged (already present): 285" in out


def test_lifecycle_commands(run: Run) -> None:
    cred_id = issue(run)
    code, out, _ = run("show", cred_id.upper())
    assert code == 0
    assert "110105********" in out and make_id() not in out
    assert run("convert", cred_id)[0] == 0
    assert run("change", cred_id, "--district", "Haidian")[0] == 0
    assert run("suspend", cred_id, "--reason", "check")[0] == 0
    assert run("reinstate", cred_id)[0] == 0
    code, out, _ = run("endorse", cred_id, now=datetime(2027, 11, 1, 9, tzinfo=BEIJING))
    assert code == 0 and "2028-11-23" in out
    assert run("revoke", cred_id, "--reason", "left")[0] == 0
    code, out, _ = run("show", cred_id)
    assert "已注销 (revoked) – left" in out and "居住证" in out and "海淀区" in out


def test_show_by_card_number(run: Run) -> None:
    run("import", str(SAMPLE), "--quiet")
    code, out, _ = run("show", "--card", "JZZ201900000003")
    assert code == 0 and "370102********5118" in out and "方欣" in out
    assert run("show", "--card", "NOPE")[0] == 2


def test_refusals_print_one_bilingual_line(run: Run) -> None:
    cred_id = issue(run)
    code, out, err = run("endorse", cred_id)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("错误：签注办理期为") and "[OUTSIDE_ENDORSEMENT_WINDOW]" in err
    code, _, err = run("suspend", "0" * 16)
    assert code == 2 and "[NOT_FOUND]" in err and "Traceback" not in err
    code, _, err = run("issue", "--type", "1", "--name", "x", "--id-number", "123",
                       "--address", "a", "--district", "浦东新区")
    assert code == 2 and "[INVALID_INPUT]" in err


def test_missing_file_and_bad_export(run: Run, tmp_path: Path) -> None:
    code, _, err = run("import", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run("import", str(bad))
    assert code == 2 and "bad_header" in err


def test_enrol_and_devices(run: Run) -> None:
    from issuer.registry import Registry

    cred_id = issue(run)
    code, out, _ = run("enrol", cred_id)
    assert code == 0
    match = re.search(r"enrolment code: ([A-Z0-9]{4}-[A-Z0-9]{4})", out)
    assert match
    with Registry(run.db) as reg:
        reg.devices.enrol_device(match.group(1), "Pixel", NOW)
    code, out, _ = run("devices", cred_id)
    assert code == 0 and "\tPixel\t" in out and out.rstrip().endswith("active")
    device_id = out.split("\t")[0]
    code, out, _ = run("devices", cred_id, "--revoke", device_id)
    assert code == 0 and "revoked" in out
    assert run("devices", cred_id, "--revoke", "999")[0] == 2


def test_serve_without_app(monkeypatch: pytest.MonkeyPatch, run: Run) -> None:
    monkeypatch.setitem(sys.modules, "issuer.app", None)
    code, _, err = run("serve", "--port", "1")
    assert code == 2 and "issuer.app" in err


def test_serve_dispatches_to_app(monkeypatch: pytest.MonkeyPatch, run: Run) -> None:
    seen: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        seen.append(argv)
        return 0

    fake = types.ModuleType("issuer.app")
    fake.main = fake_main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "issuer.app", fake)
    assert run("serve", "--port", "8080")[0] == 0
    assert seen == [["--port", "8080"]]


def test_module_entry_point_and_env_db(tmp_path: Path) -> None:
    env = {**os.environ, "ISSUER_DB": str(tmp_path / "env" / "r.sqlite3")}
    proc = subprocess.run(
        [sys.executable, "-m", "issuer", "revoke", "0" * 16, "--reason", "x"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "[NOT_FOUND]" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "env" / "r.sqlite3").is_file()
