"""`python -m issuer slip`: the paper slip from the command line, readable and verifiable."""

from __future__ import annotations

from pathlib import Path

import pytest

from keys.keystore import KeyStore
from tests.issuer.test_cli import Run, issue


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("ISSUER_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ISSUER_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("PERMIT_KEY_PASSPHRASE", "slip-test")
    monkeypatch.delenv("ISSUER_DB", raising=False)
    KeyStore(tmp_path / "keys", b"slip-test").generate(1_700_000_000)
    return Run(tmp_path / "db" / "registry.sqlite3")


def test_slip_html_and_pdf_are_written(run: Run, tmp_path: Path) -> None:
    cred_id = issue(run)
    code, out, _ = run("slip", cred_id, "--out", str(tmp_path / "slip.html"))
    assert code == 0, out
    html = (tmp_path / "slip.html").read_text(encoding="utf-8")
    assert "赵六" in html and "<svg" in html
    code, out, _ = run("slip", cred_id, "--out", str(tmp_path / "slip.pdf"))
    assert code == 0, out
    assert (tmp_path / "slip.pdf").read_bytes().startswith(b"%PDF")


def test_slip_refuses_a_bad_suffix_and_a_revoked_credential(run: Run, tmp_path: Path) -> None:
    cred_id = issue(run)
    code, _, err = run("slip", cred_id, "--out", str(tmp_path / "slip.txt"))
    assert code == 2 and ".pdf" in err
    assert run("revoke", cred_id, "--reason", "test")[0] == 0
    code, _, err = run("slip", cred_id, "--out", str(tmp_path / "slip.html"))
    assert code == 2 and "CREDENTIAL_NOT_ACTIVE" in err
