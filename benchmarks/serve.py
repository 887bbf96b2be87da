"""The verifier under load, in a process of its own: ``python -m benchmarks.serve PORT DIR [--redis URL] [--workers N]``.

The real service (``verifier.app.create_app``) with its memory stores (or Redis
with ``--redis URL``), configured for load: one API key, no rate limit. Its
issuer is a fake one in the same process, reached through httpx's ASGI
transport, publishing the benchmark key set and a signed status list, so the
service starts with fresh data and keeps its background refresh running.

It is served exactly as ``python -m verifier serve`` serves it
(``verifier.server.serve_app``: uvicorn, httptools, uvloop, the client limits),
with ``--workers`` processes; every worker reads its settings from the
environment this process sets, so all of them share one Redis key prefix.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

API_KEY = "vk_benchmark-official-key-0123456789abcdefghijklmn"
HOST = "127.0.0.1"


def fake_issuer_app() -> Starlette:
    from keys.statuslist import MIN_SIZE, StatusList

    from .kit import CLAIMS, World

    world = World()
    keyset = world.keyset.dumps().encode()
    status_list = StatusList.build([(CLAIMS.ref + 1, 2)], size=MIN_SIZE * 8, issued_at=int(time.time()), ttl=3600)
    status = json.dumps(status_list.sign(world.key), separators=(",", ":")).encode()

    def serve(body: bytes) -> Any:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'

        async def endpoint(request: Request) -> Response:
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers={"ETag": etag})
            return Response(body, media_type="application/json", headers={"ETag": etag})

        return endpoint

    return Starlette(routes=[
        Route("/.well-known/permit-keys.json", serve(keyset)),
        Route("/v1/status-list", serve(status)),
    ])


def verifier_app(directory: Path, redis_url: str | None, prefix: str) -> Starlette:
    import httpx

    from keys.edge.env import Secret
    from verifier.app import create_app
    from verifier.auth import key_digest, write_keys_file
    from verifier.config import Config

    from .kit import ROTATION_SECRET

    keys_file = directory / "api-keys.json"
    write_keys_file(keys_file, [{"name": "bench", "role": "official", "sha256": key_digest(API_KEY).hex()}])
    config = Config(
        issuer_url="http://issuer.bench",
        api_keys_file=keys_file,
        audit_key=Secret(bytes(range(64, 96))),
        audit_file=directory / "audit.jsonl",
        rotation_secret=Secret(ROTATION_SECRET),
        var_dir=directory / "var",
        redis_url=redis_url,
        redis_prefix=prefix,
        redis_timeout_s=5.0,  # a loaded machine must not turn slow replies into outages mid-run
        rate_per_s=1e6,
        rate_burst=10**6,
    )
    issuer = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake_issuer_app()), base_url="http://issuer.bench")
    return create_app(config, http_client=issuer)


def worker_app() -> Starlette:
    """One worker's app, from the settings ``main`` put in the environment."""
    return verifier_app(Path(os.environ["BENCH_SERVE_DIR"]), os.environ.get("BENCH_SERVE_REDIS") or None,
                        os.environ["BENCH_SERVE_PREFIX"])


def main(argv: list[str] | None = None) -> int:
    from verifier.server import ServeOptions, serve_app

    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve")
    parser.add_argument("port", type=int)
    parser.add_argument("dir", type=Path)
    parser.add_argument("--redis")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    prefix = f"bench{int(time.time() * 1000)}"
    if args.redis:
        import redis

        # A store that has held the claims for an hour: a new one refuses the first codes (the replay epoch).
        redis.Redis.from_url(args.redis).hset(f"{prefix}:replay-epoch", mapping={"e": repr(time.time() - 3600), "n": 0})
    os.environ.update(BENCH_SERVE_DIR=str(args.dir), BENCH_SERVE_REDIS=args.redis or "", BENCH_SERVE_PREFIX=prefix)
    options = ServeOptions(host=HOST, port=args.port, workers=args.workers, log_level="warning")
    serve_app(worker_app() if args.workers == 1 else "benchmarks.serve:worker_app", options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
