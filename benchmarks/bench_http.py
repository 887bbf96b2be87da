"""The service over HTTP under load, against an empty Starlette endpoint on the same server settings.

The load generator is wrk (one thread; benchmarks/codes.lua). Every request
carries codes not sent before: a pool of fresh codes is minted just before each
run (a code stays acceptable for at least one full period, longer than a run),
and the summary counts how many verdicts were VALID; a pool that ran out would
show as ``wrapped`` and as REPLAYED verdicts, which still cost a full
verification. The server and wrk run as separate processes; the CPU each used is
read from the kernel, so a load generator at its limit would show.

At each connection count every endpoint is run ``REPEATS`` times for
``DURATION_S`` seconds, interleaved (forward, then backward), and the run with
the most requests per second is kept with its latencies: other work on the
machine only ever lowers throughput, and interleaving spreads it over all
endpoints alike.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from .conftest import Recorder
from .kit import World
from .serve import API_KEY, HOST

CONNECTIONS = (1, 16, 64)
DURATION_S = int(os.environ.get("BENCH_HTTP_SECONDS", "3"))
REPEATS = 2
BATCH = 100
LUA = Path(__file__).with_name("codes.lua")
ROOT = Path(__file__).resolve().parents[1]
#: generous pool sizes: a run needs rate x duration codes, and a pool that is too
#: small only turns some verdicts into REPLAYED (counted), never into errors
SINGLE_POOL = 15_000
BATCH_POOL = 45_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """A server left behind by a killed benchmark run would skew the next one (Linux only)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, kind: str, directory: Path, redis_url: str | None = None) -> None:
        self.kind = kind
        self.port = _free_port()
        args = [sys.executable, "-m", "benchmarks.serve", kind, str(self.port), str(directory)]
        if redis_url:
            args += ["--redis", redis_url]
        self.log = open(directory / f"{kind}.log", "wb")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        self.url = f"http://{HOST}:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{kind} server exited: {(directory / f'{kind}.log').read_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind} server not healthy within 30 s")
            time.sleep(0.1)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()


def run_wrk(server: Server, path: str, codes: list[str], connections: int, batch: int,
            duration: int = DURATION_S) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        pytest.fail("wrk not found: run scripts/setup (Debian package wrk)", pytrace=False)
    with tempfile.NamedTemporaryFile("w", suffix=".codes", delete=False) as f:
        f.write("\n".join(codes) + "\n")
        pool = f.name
    try:
        before_child = resource.getrusage(resource.RUSAGE_CHILDREN)
        before_server = _cpu_seconds(server.proc.pid)
        started = time.monotonic()
        done = subprocess.run(
            [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA),
             server.url + path, "--", pool, str(batch), API_KEY, "1"],
            capture_output=True, text=True, timeout=duration + 60,
        )
        wall = time.monotonic() - started
        after_child = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu = _cpu_seconds(server.proc.pid) - before_server
    finally:
        os.unlink(pool)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise AssertionError(f"wrk gave no summary:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(line[len("BENCH "):])
    seconds = result["duration_us"] / 1e6
    per_request = max(batch, 1)
    result.update(
        connections=connections,
        batch=batch,
        requests_per_s=result["requests"] / seconds,
        codes_per_s=result["verdicts"] / seconds if batch else result["requests"] / seconds,
        valid_fraction=(result["valid"] / result["verdicts"]) if result["verdicts"] else None,
        wrk_cpu=(after_child.ru_utime + after_child.ru_stime - before_child.ru_utime - before_child.ru_stime) / wall,
        server_cpu=server_cpu / wall,
        pool=len(codes),
        pool_needed=result["requests"] * per_request,
    )
    return result


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="bench-http-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def empty_server(workdir: Path) -> Iterator[Server]:
    server = Server("empty", workdir)
    yield server
    server.close()


@pytest.fixture(scope="module")
def verifier_server(workdir: Path) -> Iterator[Server]:
    server = Server("verifier", workdir)
    yield server
    server.close()


@pytest.fixture(scope="module")
def live() -> World:
    return World()  # the wall clock: the served verifier reads it


#: name, server, path, codes per request, pool size (fresh codes per run)
ENDPOINTS = (
    ("empty", "empty", "/v1/verify", 0, 2_000),
    ("read-body", "empty", "/read-body", 0, 2_000),
    ("lean", "empty", "/lean-verify", 0, SINGLE_POOL),
    ("verify", "verifier", "/v1/verify", 0, SINGLE_POOL),
    ("batch", "verifier", "/v1/verify/batch", BATCH, BATCH_POOL),
)


@pytest.mark.parametrize("connections", CONNECTIONS)
def test_http(empty_server: Server, verifier_server: Server, recorder: Recorder, live: World,
              connections: int) -> None:
    """Every endpoint at one connection count, REPEATS times, interleaved; the best run of each is kept."""
    servers = {"empty": empty_server, "verifier": verifier_server}
    if connections == CONNECTIONS[0]:
        for _, kind, path, batch, _ in ENDPOINTS:
            run_wrk(servers[kind], path, live.minted(4_000), 8, batch, duration=1)  # warm-up
    best: dict[str, dict[str, Any]] = {}
    for repeat in range(REPEATS):
        order = ENDPOINTS if repeat % 2 == 0 else ENDPOINTS[::-1]
        for name, kind, path, batch, pool in order:
            result = run_wrk(servers[kind], path, live.minted(pool), connections, batch)
            assert result["errors"] == 0 and result["non200"] == 0, (name, result)
            if name not in best or result["requests_per_s"] > best[name]["requests_per_s"]:
                best[name] = result
    for name, result in best.items():
        recorder.add(f"{name}/c{connections}", {**result, "runs": REPEATS})
