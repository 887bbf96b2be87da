"""The long runs of the attack and fault campaign, one command each: ``bash scripts/campaign RUN [N]``.

    fuzz [inputs]         mutated, truncated, spliced and random codes through check_signed and verify
                          (1,000,000 by default); counts false accepts and crashes
    races [n]             the same code to two verifier instances sharing a real Redis at the same moment
    redis-kill            load on a verifier, its Redis (no persistence) SIGKILLed mid-load and restarted
                          empty, every accepted code shown again
    cluster-kill          the same on a 3-master Redis Cluster, one master SIGKILLed and restarted empty
    issuer-down           the issuer stops answering until verdicts are STATUS_STALE, then returns
    soak [seconds]        a verifier process (embedded stores) under 500 codes/s over HTTP, its memory
                          sampled every 10 s (600 s by default)

Each run prints one JSON line of figures (inputs, races, faults, false accepts,
double acceptances, 5xx) and appends it to ``var/campaign/results.jsonl``. The
fault runs use the verifier service of tests/verifier (real Redis processes,
killed for real); the soak runs ``python -m benchmarks.serve verifier``.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import httpx

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "var" / "campaign" / "results.jsonl"


def record(run: str, figures: dict[str, Any]) -> dict[str, Any]:
    line = {"run": run, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **figures}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


# -- fuzz ---------------------------------------------------------------------------------
def fuzz(inputs: int = 1_000_000, workers: int = 0, seed: int = 20261203) -> dict[str, Any]:
    """``inputs`` spread over ``workers`` processes (default: one per core), each with its own seed."""
    import multiprocessing

    workers = workers or os.cpu_count() or 1
    started = time.monotonic()
    shares = [inputs // workers + (1 if i < inputs % workers else 0) for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.starmap(fuzz_share, [(share, seed + i) for i, share in enumerate(shares)])
    totals = {key: sum(p[key] for p in parts) for key in ("inputs", "false_accepts", "crashes", "genuine_regenerated")}
    return record("fuzz", {**totals, "workers": workers, "seconds": round(time.monotonic() - started, 1), "seed": seed})


def fuzz_share(inputs: int, seed: int) -> dict[str, int]:
    from keys.base45 import b45decode, b45encode
    from keys.errors import CredentialError
    from keys.wire import PREFIX
    from verifier.core import Options, check_signed, verify
    from verifier.replay import MemoryReplayStore
    from verifier.status import MemoryStatusSource
    from tests.verifier.world import NOW, ROTATION_SECRET, World

    rng = random.Random(seed)
    world = World()
    options = Options(rotation_secret=ROTATION_SECRET)
    keyset = world.keyset
    genuine = [world.minted() for _ in range(4)] + [world.offline(), world.paper()]
    raws = [b45decode(c[len(PREFIX):]) for c in genuine]
    genuine_set = set(raws)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

    def mutate() -> str:
        kind = rng.randrange(8)
        raw = bytearray(rng.choice(raws))
        if kind == 0:  # bit flips
            for _ in range(rng.randint(1, 4)):
                raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        elif kind == 1:  # byte overwrites
            for _ in range(rng.randint(1, 8)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
        elif kind == 2:  # truncation
            raw = raw[: rng.randrange(len(raw))]
        elif kind == 3:  # extension
            raw += rng.randbytes(rng.randint(1, 64))
        elif kind == 4:  # splice two genuine codes
            other = rng.choice(raws)
            cut = rng.randrange(1, min(len(raw), len(other)))
            raw = raw[:cut] + bytearray(other[cut:])
        elif kind == 5:  # random bytes behind the prefix
            raw = bytearray(rng.randbytes(rng.randint(0, 200)))
        elif kind == 6:  # random base45 text
            return PREFIX + "".join(rng.choices(alphabet, k=rng.randint(0, 250)))
        else:  # random unicode text
            return "".join(map(chr, rng.choices(range(0x30000), k=rng.randint(0, 80))))
        return PREFIX + b45encode(bytes(raw))

    false_accepts = crashes = accepted_genuine = 0
    for _ in range(inputs):
        text = mutate()
        try:
            check_signed(text, NOW, keyset, options)
        except CredentialError:
            continue
        except Exception:
            crashes += 1
            continue
        raw = b45decode(text[len(PREFIX):])
        pass_trailer_only = any(raw[:-5] == g[:-5] and g[1] == 2 for g in raws)
        if raw in genuine_set or pass_trailer_only:
            accepted_genuine += 1  # a genuine code (a PASS trailer is unsigned: its TOTP was checked)
            continue
        verdict = verify(text, NOW, keyset, MemoryStatusSource(), MemoryReplayStore(), options)
        if verdict.valid:
            false_accepts += 1
    return {"inputs": inputs, "false_accepts": false_accepts, "crashes": crashes, "genuine_regenerated": accepted_genuine}


# -- the service with real Redis --------------------------------------------------------------
class RealClock:
    """The real time (Redis expires claims in real time too), moved ahead on purpose by ``advance``."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class Deployment:
    """Verifier instances of the test world on a shared (real) Redis, driven like tests/verifier does."""

    def __init__(self, redis_url: str | None, *, cluster: bool = False, **config: Any) -> None:
        from tests.verifier.service_kit import FakeIssuer, Verifier, make_config, settle_replay_epoch

        self.tmp = Path(tempfile.mkdtemp(prefix="campaign-"))
        self.clock = RealClock()
        self.issuer = FakeIssuer(self.clock)
        self._verifier, self._make_config = Verifier, make_config
        self.made: list[Any] = []
        self.redis_url, self.cluster, self.config = redis_url, cluster, config
        self._settle = settle_replay_epoch

    def settle(self, client: Any) -> None:
        self._settle(client, cluster=self.cluster, since=self.clock() - 3600)

    def verifier(self) -> Any:
        overrides = dict(self.config, var_dir=self.tmp / f"var-{len(self.made)}")
        if self.redis_url:
            overrides.update(redis_url=self.redis_url, redis_cluster=self.cluster)
        v = self._verifier(self._make_config(self.tmp, **overrides), self.issuer, self.clock)
        self.made.append(v)
        return v

    def close(self) -> None:
        for v in self.made:
            v.close()


def _reasons(v: Any, codes: list[str]) -> tuple[list[str], int]:
    response = v.batch(codes)
    if response.status_code >= 500 and response.status_code != 503:
        return [], 1
    return [r["reason"] for r in response.json()["results"]], 0


def races(n: int = 2000) -> dict[str, Any]:
    from tests.fixtures.redis_server import RedisServer

    with RedisServer() as server:
        world = Deployment(server.url)
        world.settle(server.client())
        a, b = world.verifier(), world.verifier()
        double = not_one = server_errors = 0
        for _ in range(n):
            code = world.issuer.minted()
            barrier = threading.Barrier(2)
            answers: list[tuple[int, bool]] = []

            def show(v: Any, code: str = code, barrier: threading.Barrier = barrier,
                     answers: list[tuple[int, bool]] = answers) -> None:
                barrier.wait()
                response = v.verify(code)
                answers.append((response.status_code, response.json()["reason"] == "VALID"))

            threads = [threading.Thread(target=show, args=(v,)) for v in (a, b)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            valid = sum(1 for _, ok in answers if ok)
            server_errors += sum(1 for status, _ in answers if status >= 500)
            double += max(0, valid - 1)
            not_one += valid != 1
        world.close()
    return record("races", {"races": n, "double_acceptances": double, "races_without_one_valid": not_one,
                            "server_errors": server_errors})


def _kill_run(run: str, make_store: Callable[[], Any], kill: Callable[[Any], None], url: Callable[[Any], str],
              cluster: bool) -> dict[str, Any]:
    store = make_store()
    try:
        world = Deployment(url(store), cluster=cluster)
        world.settle(store.client())
        a, b = world.verifier(), world.verifier()
        accepted: list[tuple[float, str]] = []
        again: list[str] = []
        shown = refused_503 = server_errors = 0

        def show_again(since: float) -> None:  # every code accepted since then, to both instances
            nonlocal server_errors
            recent = [code for at, code in accepted if at >= since]
            for v in (a, b):
                for i in range(0, len(recent), 500):
                    reasons, errors = _reasons(v, recent[i:i + 500])
                    server_errors += errors
                    again.extend(reasons)
                    print(f"shown again: {sorted((r, reasons.count(r)) for r in set(reasons))}", file=sys.stderr)

        started = time.monotonic()
        for round_ in range(80):  # 80 s of load: 50 fresh codes a second over both instances
            if round_ == 20:
                kill(store)  # SIGKILL mid-load, restarted empty (no persistence)
                show_again(world.clock() - 25)  # the codes of the last 25 s, still inside their window
            codes = [world.issuer.minted() for _ in range(50)]
            reasons, errors = _reasons(a if round_ % 2 else b, codes)
            shown += len(codes)
            server_errors += errors
            accepted += [(world.clock(), c) for c, r in zip(codes, reasons) if r == "VALID"]
            refused_503 += reasons.count("SERVICE_UNAVAILABLE")
            print(f"round {round_}: {reasons.count('VALID')} of {len(codes)} valid", file=sys.stderr, flush=True)
            time.sleep(max(0.0, started + round_ + 1 - time.monotonic()))
        show_again(world.clock() - 25)
        world.close()
    finally:
        store.close()
    return record(run, {
        "faults": 1, "codes_shown": shown, "accepted": len(accepted),
        "refused_503_after_the_loss": refused_503, "shown_again": len(again), "double_acceptances": again.count("VALID"),
        "server_errors_not_503": server_errors,
    })


def redis_kill() -> dict[str, Any]:
    from tests.fixtures.redis_server import RedisServer

    def kill(server: Any) -> None:
        server.kill()
        server.start()

    return _kill_run("redis-kill", lambda: RedisServer().start(), kill, lambda s: s.url, False)


def cluster_kill() -> dict[str, Any]:
    from tests.fixtures.redis_server import RedisCluster

    def kill(cluster: Any) -> None:
        node = cluster.nodes[1]
        node.kill()
        node.start()
        cluster.wait_ok()

    return _kill_run("cluster-kill", lambda: RedisCluster().start(), kill, lambda c: c.url, True)


def issuer_down() -> dict[str, Any]:
    world = Deployment(None, sync_interval_s=30, max_status_age_s=300)
    v = world.verifier()
    issuer = world.issuer
    issuer.broken = True
    down_at = world.clock()
    valid_after_stale = server_errors = 0
    first_stale = None
    for _ in range(40):  # 40 ticks of 10 s
        world.clock.advance(10)
        v.tick()
        response = v.verify(issuer.minted())
        if response.status_code >= 500 and response.status_code != 503:
            server_errors += 1
        reason = response.json()["reason"]
        if reason == "STATUS_STALE" and first_stale is None:
            first_stale = world.clock() - down_at
        if first_stale is not None and reason == "VALID":
            valid_after_stale += 1
    issuer.broken = False
    world.clock.advance(10)
    v.tick()
    back = v.verify(issuer.minted()).json()["reason"]
    world.close()
    return record("issuer-down", {"faults": 1, "stale_after_s": first_stale, "valid_while_stale": valid_after_stale,
                                  "after_return": back, "server_errors_not_503": server_errors})


# -- soak ---------------------------------------------------------------------------------------
def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def soak(seconds: float = 600.0, rate: int = 500) -> dict[str, Any]:
    from benchmarks.kit import World
    from benchmarks.serve import API_KEY
    from tests.fixtures.redis_server import free_port

    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="campaign-soak-"))
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.serve", "verifier", str(port), str(work)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(work / "server.log").open("wb"),
    )
    url = f"http://127.0.0.1:{port}"
    world = World()
    headers = {"Authorization": f"Bearer {API_KEY}"}
    samples: list[tuple[float, int]] = []
    counts = {"valid": 0, "replayed": 0, "other": 0, "server_errors": 0, "codes": 0}
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            started = time.monotonic()
            next_sample = started
            batch = max(1, rate // 50)
            sent = 0
            while time.monotonic() - started < seconds:
                if time.monotonic() >= next_sample:
                    samples.append((round(time.monotonic() - started), _rss_kb(server.pid)))
                    next_sample += 10
                codes = world.minted(batch)
                if sent % 100 == 0:
                    codes.append(codes[0])  # a replay now and then
                response = client.post("/v1/verify/batch", json={"codes": codes}, headers=headers)
                if response.status_code >= 500:
                    counts["server_errors"] += 1
                else:
                    for r in response.json()["results"]:
                        key = {"VALID": "valid", "REPLAYED": "replayed"}.get(r["reason"], "other")
                        counts[key] += 1
                counts["codes"] += len(codes)
                sent += 1
                ahead = started + sent * batch / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            samples.append((round(time.monotonic() - started), _rss_kb(server.pid)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return record("soak", {
        "seconds": seconds, "target_rate": rate, **counts,
        "rss_mb_start": round(samples[0][1] / 1024, 1), "rss_mb_end": round(samples[-1][1] / 1024, 1),
        "rss_mb_max": round(max(s[1] for s in samples) / 1024, 1), "samples": samples,
    })


RUNS: dict[str, Callable[..., dict[str, Any]]] = {
    "fuzz": fuzz, "races": races, "redis-kill": redis_kill, "cluster-kill": cluster_kill,
    "issuer-down": issuer_down, "soak": soak,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in RUNS:
        print(__doc__)
        return 2
    run = RUNS[argv[0]]
    args = [float(a) if "." in a else int(a) for a in argv[1:]]
    run(*args)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
