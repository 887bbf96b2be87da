"""A real verifier service (verifier.app.create_app) for the scanner's browser tests.

The issuer it syncs from is an httpx MockTransport serving a key set and a
status list made with keys/ by the test; the clock is injectable so a test can
put the server's time off the handheld's.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest

from keys.officer_assertion import OfficerAssertion, sign_assertion

from verifier.app import create_app
from verifier.auth import add_key
from verifier.config import Config

from .codes import Issuer

ISSUER_URL = "http://issuer.test"


@dataclass
class Verifier:
    url: str
    official_key: str
    business_key: str
    audit_file: Path
    app: Any
    clock_offset: list[float] = field(default_factory=lambda: [0.0])

    def audit_records(self) -> list[dict[str, Any]]:
        if not self.audit_file.exists():
            return []
        return [json.loads(line) for line in self.audit_file.read_text(encoding="utf-8").splitlines() if line.strip()]


def issuer_transport(issuer: Issuer, clock: Callable[[], float]) -> httpx.MockTransport:
    """The issuer's two public documents, current at the time they are asked for."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/permit-keys.json":
            return httpx.Response(200, content=issuer.keyset().dumps().encode(), headers={"Content-Type": "application/json"})
        if request.url.path == "/v1/status-list":
            doc = issuer.status_document(issued_at=clock())
            return httpx.Response(200, content=json.dumps(doc).encode(), headers={"Content-Type": "application/json"})
        if request.url.path == "/v1/officers/assertion":  # one officer: wang.li / right-password / 123456
            body = json.loads(request.content)
            if (body.get("username"), body.get("password"), body.get("otp")) != ("wang.li", "right-password", "123456"):
                return httpx.Response(401, json={"error": "SIGN_IN_FAILED",
                                                 "message": {"zh": "用户名、密码或动态口令不正确", "en": "wrong sign-in"}})
            now = int(clock())
            claims = OfficerAssertion("wang.li", "阿卜杜热合曼·买买提艾力", "field", "06-P", 6, now, now + 60)
            return httpx.Response(200, json={"assertion": sign_assertion(issuer.key, claims)})
        return httpx.Response(404)

    return httpx.MockTransport(handle)


@pytest.fixture
def issuer() -> Issuer:
    return Issuer(time.time())


@pytest.fixture
def start_verifier(live_server, tmp_path, issuer):
    """Factory: ``start_verifier(clock_offset_s=0.0, issuer_url=None, **config)`` -> a running Verifier.

    The server's clock is the real clock plus ``Verifier.clock_offset[0]``,
    which a test may change while the server runs. Without ``issuer_url`` it
    syncs from the ``issuer`` fixture's documents; with it, from a real issuer.
    """

    def start(clock_offset_s: float = 0.0, *, issuer_url: str | None = None, **overrides: Any) -> Verifier:
        keys_file = tmp_path / "api-keys.json"
        official = add_key(keys_file, f"officer-{len(live_server.servers)}", "official")
        business = add_key(keys_file, f"shop-{len(live_server.servers)}", "business")
        offset = [clock_offset_s]

        def clock() -> float:
            return time.time() + offset[0]

        settings: dict[str, Any] = {
            "issuer_url": issuer_url or ISSUER_URL,
            "api_keys_file": keys_file,
            "audit_file": tmp_path / "audit.jsonl",
            "var_dir": tmp_path,
            "rate_per_s": 1000.0,
            "rate_burst": 1000,
        }
        settings.update(overrides)
        config = Config(**settings)
        http = None if issuer_url else httpx.AsyncClient(transport=issuer_transport(issuer, clock))
        app = create_app(config, clock=clock, http_client=http, background_sync=False)
        url = live_server(app)
        return Verifier(url, official, business, config.audit_file, app, offset)

    return start


@pytest.fixture
def verifier(start_verifier) -> Verifier:
    return start_verifier()
