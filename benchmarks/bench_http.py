"""The service over HTTP under load, served as deployed (uvicorn, httptools, uvloop, the guard).

The load generator is wrk (one thread; benchmarks/codes.lua). Every request
carries codes not sent before: a pool of fresh codes is minted just before each
run (a code stays acceptable for at least one full period, longer than a run),
and the summary counts how many verdicts were VALID; a pool that ran out would
show as ``wrapped`` and as REPLAYED verdicts, which still cost a full
verification. The server and wrk run as separate processes; the CPU each used is
read from the kernel (the server's with its worker processes), so requests per
CPU-second of the server can be set against the in-process figures of the same
run, and a load generator at its limit would show.

Runs: ``POST /v1/verify`` and ``POST /v1/verify/batch`` on one process with the
memory stores at 1, 16 and 64 connections; ``POST /v1/verify`` with Redis on one
worker and on one worker per core (``redis-1``, ``redis-N``), interleaved. Each
run is repeated ``REPEATS`` times, interleaved (forward, then backward), and the
run with the most requests per second is kept with its latencies and CPU: other
work on the machine only ever lowers throughput, and interleaving spreads it
over all runs alike.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from . import profile
from .conftest import Recorder
from .kit import PERIOD, World
from .serve import API_KEY, HOST

CONNECTIONS = (1, 16, 64)
DURATION_S = int(os.environ.get("BENCH_HTTP_SECONDS", "3"))
REPEATS = 2
BATCH = 100
LUA = Path(__file__).with_name("codes.lua")
ROOT = Path(__file__).resolve().parents[1]
#: generous pool sizes: a run needs rate x duration codes, and a pool that is too
#: small only turns some verdicts into REPLAYED (counted), never into errors
SINGLE_POOL = 30_000
BATCH_POOL = 60_000
SCALING_POOL = 15_000
SCALING_CONNECTIONS = 64


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


def _tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and its children (the server's workers), alive now."""
    total = _cpu_seconds(pid)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            try:
                total += _cpu_seconds(int(entry.name))
            except OSError:
                pass
    return total


class Server:
    def __init__(self, name: str, directory: Path, redis_url: str | None = None, workers: int = 1) -> None:
        self.name = name
        self.port = _free_port()
        self.workers = workers
        args = [sys.executable, "-m", "benchmarks.serve", str(self.port), str(directory / name), "--workers", str(workers)]
        if redis_url:
            args += ["--redis", redis_url]
        self.log = open(directory / f"{name}.log", "wb")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        self.url = f"http://{HOST}:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} server exited: {(directory / f'{name}.log').read_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} server not healthy within 60 s")
            time.sleep(0.1)

    def close(self) -> None:
        self.proc.send_signal(signal.SIGINT)
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
        before_server = _tree_cpu_seconds(server.proc.pid)
        started = time.monotonic()
        done = subprocess.run(
            [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA),
             server.url + path, "--", pool, str(batch), API_KEY, "1"],
            capture_output=True, text=True, timeout=duration + 60,
        )
        wall = time.monotonic() - started
        after_child = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu = _tree_cpu_seconds(server.proc.pid) - before_server
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
        server_cpu_us_per_request=server_cpu / result["requests"] * 1e6 if result["requests"] else None,
        server_cpu_us_per_code=server_cpu / (result["verdicts"] if batch else result["requests"]) * 1e6
        if result["requests"] else None,
        workers=server.workers,
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
def memory_server(workdir: Path) -> Iterator[Server]:
    server = Server("memory", workdir)
    yield server
    server.close()


@pytest.fixture(scope="module")
def live() -> World:
    return World()  # the wall clock: the served verifier reads it


#: name, path, codes per request, pool size (fresh codes per run)
ENDPOINTS = (
    ("verify", "/v1/verify", 0, SINGLE_POOL),
    ("batch", "/v1/verify/batch", BATCH, BATCH_POOL),
)


def cpu_baselines(live: World, rounds: int = 5, n: int = 500) -> dict[str, float]:
    """CPU-µs per code, in this process, of a raw PyNaCl verify and of ``verify_batch`` (memory
    stores): the floors the HTTP figures are set against, in the same unit as the server's CPU
    and measured between its runs (the best of ``rounds``: other work only ever adds)."""
    import nacl.bindings

    from keys.statuslist import MIN_SIZE, StatusList
    from verifier.core import Options, verify_batch
    from verifier.replay import MemoryReplayStore
    from verifier.status import MemoryStatusSource

    from .kit import CLAIMS, ROTATION_SECRET, signed_parts

    public_key = live.key.public_key
    keyset = live.keyset
    status = MemoryStatusSource(updated_at=None)
    status.load(StatusList.build([(CLAIMS.ref + 1, 2)], size=MIN_SIZE * 8, issued_at=int(time.time()), ttl=3600),
                time.time())
    options = Options(rotation_secret=ROTATION_SECRET, max_status_age_s=3600)
    best = {"raw_pynacl_cpu_us": float("inf"), "verify_batch_cpu_us": float("inf")}
    for _ in range(rounds):
        messages = [sig + signed for signed, sig in map(signed_parts, live.minted(n))]
        started = time.process_time()
        for message in messages:
            nacl.bindings.crypto_sign_open(message, public_key)
        best["raw_pynacl_cpu_us"] = min(best["raw_pynacl_cpu_us"], (time.process_time() - started) / n * 1e6)
        codes, replay = live.minted(n), MemoryReplayStore()
        now = time.time()
        started = time.process_time()
        for i in range(0, n, BATCH):
            verify_batch(codes[i:i + BATCH], now, keyset, status, replay, options)
        best["verify_batch_cpu_us"] = min(best["verify_batch_cpu_us"], (time.process_time() - started) / n * 1e6)
    return best


def _baselines(recorder: Recorder, live: World) -> None:
    found = cpu_baselines(live)
    seen = recorder.entries.get("cpu-baselines", {})
    recorder.add("cpu-baselines", {k: min(v, seen.get(k, v)) for k, v in found.items()})


def _fresh(live: World, n: int) -> list[str]:
    """``n`` codes of the next time step: acceptable from now for at least two periods,
    however long minting them takes on a busy machine (codes of the current step
    could be a step old before the run starts)."""
    return live.minted(n, now=time.time() + PERIOD)


def _keep_best(best: dict[str, dict[str, Any]], name: str, result: dict[str, Any]) -> None:
    if name not in best or result["requests_per_s"] > best[name]["requests_per_s"]:
        best[name] = result


@pytest.mark.parametrize("connections", CONNECTIONS)
def test_http(memory_server: Server, recorder: Recorder, live: World, connections: int) -> None:
    """Both endpoints at one connection count, REPEATS times, interleaved; the best run of each is kept."""
    if connections == CONNECTIONS[0]:
        for _, path, batch, _ in ENDPOINTS:
            run_wrk(memory_server, path, _fresh(live, 4_000), 8, batch, duration=1)  # warm-up
    best: dict[str, dict[str, Any]] = {}
    _baselines(recorder, live)
    for repeat in range(REPEATS):
        for name, path, batch, pool in (ENDPOINTS if repeat % 2 == 0 else ENDPOINTS[::-1]):
            result = run_wrk(memory_server, path, _fresh(live, pool), connections, batch)
            assert result["errors"] == 0 and result["non200"] == 0, (name, result)
            _keep_best(best, name, result)
    _baselines(recorder, live)
    for name, result in best.items():
        recorder.add(f"{name}/c{connections}", {**result, "runs": REPEATS})


def test_workers_with_redis(workdir: Path, redis_server: Any, recorder: Recorder, live: World) -> None:
    """POST /v1/verify with Redis on one worker and on one worker per core, interleaved."""
    cores = os.cpu_count() or 1
    servers = {"redis-1": Server("redis-1", workdir, redis_server.url, 1),
               "redis-n": Server("redis-n", workdir, redis_server.url, cores)}
    try:
        for server in servers.values():
            run_wrk(server, "/v1/verify", _fresh(live, 4_000), 8, 0, duration=1)  # warm-up
        best: dict[str, dict[str, Any]] = {}
        for repeat in range(REPEATS):
            for name in (list(servers) if repeat % 2 == 0 else list(servers)[::-1]):
                result = run_wrk(servers[name], "/v1/verify", _fresh(live, SCALING_POOL), SCALING_CONNECTIONS, 0)
                assert result["errors"] == 0 and result["non200"] == 0, (name, result)
                _keep_best(best, name, result)
        for name, result in best.items():
            recorder.add(f"{name}/c{SCALING_CONNECTIONS}", {**result, "runs": REPEATS})
    finally:
        for server in servers.values():
            server.close()


def test_profile(memory_server: Server, recorder: Recorder, live: World) -> None:
    """Where the server's CPU goes for each endpoint at 16 connections (benchmarks/profile.py)."""
    for name, path, batch, pool in ENDPOINTS:
        started = profile.start(memory_server.proc.pid, DURATION_S)
        result = run_wrk(memory_server, path, _fresh(live, pool), 16, batch)
        assert result["errors"] == 0 and result["non200"] == 0, (name, result)
        recorder.add(f"profile/{name}", profile.finish(started))
