"""``python -m verifier serve`` as deployed: worker processes, one scrape for all, the worker rule."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.redis_server import HOST, free_port
from verifier.config import Config
from verifier.server import default_workers

ROOT = Path(__file__).resolve().parents[2]


def _serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environment.update({"VERIFIER_VAR_DIR": str(tmp_path / "var"), "ISSUER_URL": f"http://{HOST}:9", **(env or {})})
    log = open(tmp_path / "serve.log", "wb")
    return subprocess.Popen([sys.executable, "-m", "verifier", "serve", *args], cwd=ROOT, env=environment,
                            stdout=log, stderr=subprocess.STDOUT)


def _wait_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {log.read_text()}")
        try:
            httpx.get(url + "/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"serve did not answer within 60 s: {log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _responses(url: str) -> dict[str, float]:
    text = httpx.get(url + "/metrics").text
    return {
        s.labels["status"]: s.value
        for family in text_string_to_metric_families(text)
        if family.name == "verifier_http_responses"
        for s in family.samples
        if s.name.endswith("_total")
    }


def test_two_workers_share_one_scrape(tmp_path: Path, redis_server) -> None:
    port = free_port()
    url = f"http://{HOST}:{port}"
    proc = _serve(tmp_path, "--port", str(port), "--workers", "2", "--log-level", "warning",
                  env={"REDIS_URL": redis_server.url})
    try:
        _wait_up(url, proc, tmp_path / "serve.log")
        for _ in range(40):  # fresh connections spread over both workers
            with httpx.Client(base_url=url) as client:
                assert client.post("/v1/verify", json={"code": "x"}).status_code == 401
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert sum(b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes() for p in children) == 2
        for _ in range(6):  # whichever worker answers the scrape, it counts every worker's responses
            assert _responses(url).get("401") == 40
    finally:
        _stop(proc)


def test_more_than_one_worker_needs_redis(tmp_path: Path) -> None:
    proc = _serve(tmp_path, "--port", str(free_port()), "--workers", "2")
    assert proc.wait(timeout=60) == 2
    assert "needs REDIS_URL" in (tmp_path / "serve.log").read_text()


def test_default_workers_follow_the_store() -> None:
    assert default_workers(Config()) == 1
    assert default_workers(Config(redis_url="redis://127.0.0.1:1/0")) == (os.cpu_count() or 1)


@pytest.mark.parametrize("flag", ["--max-headers=0", "--header-timeout=0"])
def test_bad_limits_are_a_clear_error(tmp_path: Path, flag: str) -> None:
    proc = _serve(tmp_path, "--port", str(free_port()), flag)
    assert proc.wait(timeout=60) == 2
