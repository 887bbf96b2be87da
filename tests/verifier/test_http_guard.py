"""Slow and oversized clients against the served stack (uvicorn, httptools, uvloop, the guard).

These tests are about timeouts, so they wait on real time: the limits are set
to fractions of a second to keep that short.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fixtures.live_server import HOST, LiveServer
from verifier.http_guard import ClientLimits, GuardedHttpToolsProtocol

LIMITS = ClientLimits(header_timeout_s=1.0, body_timeout_s=1.0, keep_alive_s=5.0, max_head_bytes=8192,
                      max_headers=50, max_connections_per_client=12)


def _app() -> Starlette:
    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def echo(request: Request) -> Response:
        return JSONResponse({"size": len(await request.body())})

    return Starlette(routes=[Route("/healthz", healthz), Route("/echo", echo, methods=["POST"])])


@pytest.fixture
def serve() -> Iterator[Callable[[ClientLimits], LiveServer]]:
    started: list[LiveServer] = []

    def start(limits: ClientLimits = LIMITS) -> LiveServer:
        server = LiveServer(_app(), http=GuardedHttpToolsProtocol, loop="uvloop", timeout_keep_alive=5)
        server.server.config.client_limits = limits
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection((HOST, server.port), timeout=5)
    return sock


def _read_response(sock: socket.socket) -> tuple[int, dict[str, Any], bool]:
    """(status, JSON body, closed by the server afterwards)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"closed before a response: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":")[1]) for line in lines if line.lower().startswith("content-length"))
    while len(body) < length:
        body += sock.recv(65536)
    closed = sock.recv(1) == b""
    return status, json.loads(body[:length]), closed


def test_slow_clients_are_cut_off_and_never_delay_others(serve: Callable[..., LiveServer]) -> None:
    server = serve()
    slow = [_connect(server) for _ in range(4)]
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 200
    stop = threading.Event()

    def trickle(sock: socket.socket) -> None:  # one byte every 0.1 s, never finishing the head
        for byte in request:
            if stop.is_set():
                return
            try:
                sock.send(bytes([byte]))
            except OSError:
                return
            time.sleep(0.1)

    threads = [threading.Thread(target=trickle, args=(s,), daemon=True) for s in slow]
    for t in threads:
        t.start()
    latencies = []
    with httpx.Client(base_url=server.url) as client:
        started = time.monotonic()
        while time.monotonic() - started < 0.8:
            t0 = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            latencies.append(time.perf_counter() - t0)
    # Were the loop held by the slow clients, /healthz would wait for their 1 s deadline.
    # (The margin is for a machine shared with other work.)
    latencies.sort()
    assert len(latencies) >= 3 and latencies[len(latencies) // 2] < 0.2 and latencies[-1] < 0.9, latencies
    for sock in slow:  # the head deadline (1 s) cuts every slow client off with 408
        sock.settimeout(3)
        status, body, closed = _read_response(sock)
        assert (status, body["error"], closed) == (408, "REQUEST_TIMEOUT", True)
        sock.close()
    stop.set()


def test_an_idle_connection_is_closed_after_the_head_deadline(serve: Callable[..., LiveServer]) -> None:
    server = serve()
    sock = _connect(server)
    started = time.monotonic()
    status, body, closed = _read_response(sock)
    assert (status, body["error"], closed) == (408, "REQUEST_TIMEOUT", True)
    assert 0.9 <= time.monotonic() - started < 3
    sock.close()


def test_a_slow_body_is_cut_off(serve: Callable[..., LiveServer]) -> None:
    server = serve()
    sock = _connect(server)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + b"x" * 10)
    status, body, closed = _read_response(sock)
    assert (status, body["error"], closed) == (408, "REQUEST_TIMEOUT", True)
    sock.close()


@pytest.mark.parametrize("head", [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(10_000)) + b"\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(51)) + b"\r\n",
], ids=["100KB-header", "10000-lines", "51-lines"])
def test_oversized_heads_are_refused(serve: Callable[..., LiveServer], head: bytes) -> None:
    server = serve()
    sock = _connect(server)
    try:
        sock.sendall(head)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may close before reading everything; the answer was sent first
    status, body, closed = _read_response(sock)
    assert (status, body["error"], closed) == (431, "HEADERS_TOO_LARGE", True)
    assert body["message"]["zh"] and body["message"]["en"]
    sock.close()
    with httpx.Client(base_url=server.url) as client:  # the server is fine afterwards
        assert client.get("/healthz").status_code == 200


def test_heads_within_the_limits_are_served_on_a_kept_alive_connection(serve: Callable[..., LiveServer]) -> None:
    server = serve()
    headers = {f"X-H{i}": "v" * 100 for i in range(45)}
    with httpx.Client(base_url=server.url) as client:
        for _ in range(3):
            assert client.get("/healthz", headers=headers).status_code == 200
        response = client.post("/echo", content=b"y" * 200_000)
        assert response.json() == {"size": 200_000}


def test_connections_per_client_are_capped(serve: Callable[..., LiveServer]) -> None:
    server = serve(ClientLimits(header_timeout_s=10.0, max_connections_per_client=3))
    held = [_connect(server) for _ in range(3)]
    extra = _connect(server)
    status, body, closed = _read_response(extra)
    assert (status, body["error"], closed) == (429, "TOO_MANY_CONNECTIONS", True)
    extra.close()
    held.pop().close()
    deadline = time.monotonic() + 2
    while True:  # the server notices the close on its next loop turn
        try:
            with httpx.Client(base_url=server.url) as client:
                assert client.get("/healthz").status_code == 200
            break
        except (httpx.HTTPError, AssertionError):
            if time.monotonic() > deadline:
                raise
    for sock in held:
        sock.close()
