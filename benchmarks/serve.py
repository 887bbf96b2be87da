"""The servers under load, each in a process of its own: ``python -m benchmarks.serve KIND PORT DIR``.

``verifier``: the real service (``verifier.app.create_app``) with its memory stores
(or Redis with ``--redis URL``), configured for load: one API key, no rate limit.
Its issuer is a fake one in the same process, reached through httpx's ASGI
transport, publishing the benchmark key set and a signed status list, so the
service starts with fresh data and keeps its background refresh running.

``empty``: a Starlette app whose ``POST /v1/verify`` and ``/v1/verify/batch`` answer
``{}`` at once: the ceiling of the HTTP stack alone. ``POST /read-body`` reads
and parses the JSON body first, as any real endpoint must. ``POST /lean-verify``
adds ``verifier.core.verify`` with memory stores and the official verdict JSON,
and nothing else (no API key, audit, metrics or middleware): the floor of what a
verification endpoint can cost on this stack.

Both are served by ``uvicorn.run`` with the settings ``python -m verifier serve``
uses (one process, uvicorn's default event loop and HTTP implementation, no
access log), on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

API_KEY = "vk_benchmark-official-key-0123456789abcdefghijklmn"
HOST = "127.0.0.1"


def uvicorn_settings() -> dict[str, Any]:
    """The one place the server settings are chosen, for both apps."""
    return {"host": HOST, "log_level": "warning", "access_log": False}


def empty_app() -> Starlette:
    async def nothing(request: Request) -> Response:
        return Response(b"{}", media_type="application/json")

    async def read_body(request: Request) -> Response:
        json.loads(await request.body())
        return Response(b"{}", media_type="application/json")

    lean = _lean_verifier()

    return Starlette(routes=[
        Route("/v1/verify", nothing, methods=["POST"]),
        Route("/read-body", read_body, methods=["POST"]),
        Route("/lean-verify", lean, methods=["POST"]),
        Route("/v1/verify/batch", nothing, methods=["POST"]),
        Route("/healthz", nothing, methods=["GET"]),
    ])


def _lean_verifier() -> Any:
    from starlette.responses import JSONResponse

    from keys.statuslist import MIN_SIZE, StatusList
    from verifier.core import Options, verify
    from verifier.disclosure import verdict_json
    from verifier.replay import MemoryReplayStore
    from verifier.status import MemoryStatusSource

    from .kit import CLAIMS, ROTATION_SECRET, World

    keyset = World().keyset
    status = MemoryStatusSource(updated_at=None)
    status.load(StatusList.build([(CLAIMS.ref + 1, 2)], size=MIN_SIZE * 8, issued_at=int(time.time()), ttl=3600),
                time.time())
    replay = MemoryReplayStore()
    options = Options(rotation_secret=ROTATION_SECRET, max_status_age_s=3600)

    async def lean(request: Request) -> Response:
        body = json.loads(await request.body())
        now = time.time()
        verdict = verify(body["code"], now, keyset, status, replay, options)
        return JSONResponse(verdict_json(verdict, "official", now - (status.updated_at() or now)))

    return lean


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


def verifier_app(directory: Path, redis_url: str | None) -> Starlette:
    import httpx

    from keys.edge.env import Secret
    from verifier.app import create_app
    from verifier.auth import key_digest, write_keys_file
    from verifier.config import Config

    from .kit import ROTATION_SECRET

    keys_file = directory / "api-keys.json"
    write_keys_file(keys_file, [{"name": "bench", "role": "official", "sha256": key_digest(API_KEY).hex()}])
    prefix = f"bench{int(time.time())}"
    if redis_url:
        import redis

        # A store that has held the claims for an hour: a new one refuses the first codes (the replay epoch).
        redis.Redis.from_url(redis_url).hset(f"{prefix}:replay-epoch", mapping={"e": repr(time.time() - 3600), "n": 0})
    config = Config(
        issuer_url="http://issuer.bench",
        api_keys_file=keys_file,
        audit_key=Secret(bytes(range(64, 96))),
        audit_file=directory / "audit.jsonl",
        rotation_secret=Secret(ROTATION_SECRET),
        var_dir=directory / "var",
        redis_url=redis_url,
        redis_prefix=prefix,
        rate_per_s=1e6,
        rate_burst=10**6,
    )
    issuer = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake_issuer_app()), base_url="http://issuer.bench")
    return create_app(config, http_client=issuer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve")
    parser.add_argument("kind", choices=["verifier", "empty"])
    parser.add_argument("port", type=int)
    parser.add_argument("dir", type=Path)
    parser.add_argument("--redis")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    app = empty_app() if args.kind == "empty" else verifier_app(args.dir, args.redis)
    uvicorn.run(app, port=args.port, **uvicorn_settings())
    return 0


if __name__ == "__main__":
    sys.exit(main())
