"""The README walkthrough, run as a newcomer would: the real commands, real processes.

Starts ``python -m issuer serve`` and ``python -m verifier serve`` exactly as
scripts/serve does (embedded defaults, nothing configured, a fresh directory),
issues a permit and an enrolment code with the CLI, enrols a phone, fetches its
live code and verifies it twice: VALID, then REPLAYED.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not become healthy:\n{log.read_text(errors='replace')}")


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ISSUER_", "VERIFIER_", "PERMIT_", "REDIS_"))}
    env["PYTHONPATH"] = str(ROOT)
    issuer_port, verifier_port = _free_port(), _free_port()
    issuer_url = f"http://127.0.0.1:{issuer_port}"
    verifier_url = f"http://127.0.0.1:{verifier_port}"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        issuer_log = tmp_path / "issuer.log"
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "issuer", "serve", "--host", "127.0.0.1", "--port", str(issuer_port)],
                cwd=tmp_path, env=env, stdout=issuer_log.open("wb"), stderr=subprocess.STDOUT,
            )
        )
        _wait_healthy(issuer_url, processes[0], issuer_log)
        verifier_log = tmp_path / "verifier.log"
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "verifier", "serve", "--host", "127.0.0.1", "--port", str(verifier_port)],
                cwd=tmp_path, env={**env, "ISSUER_URL": issuer_url}, stdout=verifier_log.open("wb"),
                stderr=subprocess.STDOUT,
            )
        )
        _wait_healthy(verifier_url, processes[1], verifier_log)
        yield issuer_url, verifier_url, tmp_path
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _cli(cwd: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "issuer", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_readme_walkthrough(deployment: tuple[str, str, Path]) -> None:
    issuer_url, verifier_url, home = deployment
    out = _cli(home, "issue", "--type", "居住证", "--name", "张伟", "--id-number", "11010519491231002X",
               "--address", "北京市海淀区学院路1号", "--district", "海淀区")
    cred_id = re.search(r"cred_id:\s+([0-9a-f]{16})", out).group(1)  # type: ignore[union-attr]
    enrolment = re.search(r"enrolment code:\s+(\S+)", _cli(home, "enrol", cred_id)).group(1)  # type: ignore[union-attr]

    assert "<html" in httpx.get(f"{issuer_url}/holder/", follow_redirects=True).text.lower()
    assert "<html" in httpx.get(f"{verifier_url}/scan", follow_redirects=True).text.lower()

    token = httpx.post(f"{issuer_url}/v1/holder/enrol", json={"code": enrolment, "label": "phone"}).json()["device_token"]
    live = httpx.get(f"{issuer_url}/v1/holder/live", headers={"Authorization": f"Bearer {token}"}).json()
    keys = dict(
        line.split("=", 1) for line in (home / "var/dev/verifier-api-keys.txt").read_text().split() if "=" in line
    )
    official = {"Authorization": f"Bearer {keys['OFFICIAL_KEY']}"}
    business = {"Authorization": f"Bearer {keys['BUSINESS_KEY']}"}

    first = httpx.post(f"{verifier_url}/v1/verify", json={"code": live["code"]}, headers=official).json()
    assert first["reason"] == "VALID" and first["valid"] is True
    assert first["claims"]["name"] == "张伟" and first["claims"]["id_number_masked"].endswith("002X")
    again = httpx.post(f"{verifier_url}/v1/verify", json={"code": live["code"]}, headers=official).json()
    assert again["reason"] == "REPLAYED" and again["valid"] is False

    fresh = httpx.get(f"{issuer_url}/v1/holder/live", headers={"Authorization": f"Bearer {token}"}).json()
    seen_by_business = httpx.post(f"{verifier_url}/v1/verify", json={"code": fresh["code"]}, headers=business).json()
    assert seen_by_business["reason"] == "VALID"
    assert "name" not in seen_by_business["claims"] and "id_number_masked" not in seen_by_business["claims"]
    assert httpx.post(f"{verifier_url}/v1/verify", json={"code": fresh["code"]}).status_code == 401
