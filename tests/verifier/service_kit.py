"""A world for verifier service tests: a fake issuer (the shared code factory), the shared clock.

The fake issuer is a small Starlette app that publishes a key set and a status
list it signs with ``keys.statuslist`` (with ETags, like the real one); the
verifier reaches it through ``httpx.ASGITransport``, so no port is opened and
nothing sleeps. Refreshes are driven by calling ``Verifier.tick()`` after moving
the clock.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from keys.edge.env import Secret
from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.officer_assertion import OfficerAssertion, sign_assertion
from keys.officer_list import sign_officer_list
from keys.statuslist import MIN_SIZE, StatusList
from tests.fixtures.clock import NOW, Clock
from tests.fixtures.codes import CLAIMS, PERIOD, ROTATION_SECRET, Codes
from verifier.app import create_app
from verifier.auth import key_digest, write_keys_file
from verifier.config import Config
from verifier.service import Service

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's note that its TestClient will move off httpx
    from starlette.testclient import TestClient

ISSUER_URL = "http://issuer.test"
OFFICIAL_KEY = "vk_official-test-key-0123456789abcdefghijklmnop"
BUSINESS_KEY = "vk_business-test-key-0123456789abcdefghijklmnop"
OFFICER_SIGN_IN = ("wang.li", "right-password", "123456")
AUDIT_KEY = bytes(range(100, 132))


@dataclass
class FakeIssuer(Codes):
    """Codes at the test's clock, and the issuer's two public documents served over HTTP."""

    key: SigningKey = field(default_factory=lambda: SigningKey(bytes([9]) * 32))
    pass_hours: int = 72
    pass_id: bytes | None = b"P" * 8  # the holder's one pass
    statuses: dict[int, int] = field(default_factory=dict)
    ttl: int = 3600
    broken: bool = False
    requests: list[tuple[str, int]] = field(default_factory=list)
    #: officer accounts (``officer:<name>``) the issuer has disabled (keys.officer_list)
    disabled_officers: list[str] = field(default_factory=list)
    _status_doc: bytes | None = None

    @property
    def keyset(self) -> KeySet:
        """Fixed at ``NOW`` whatever the clock says, so the published document keeps its ETag."""
        return KeySet([KeyInfo(self.key.kid, self.key.public_key, int(NOW) - 86400, int(NOW) + 400 * 86400)], int(NOW))

    def keyset_bytes(self) -> bytes:
        return self.keyset.dumps().encode()

    def status_bytes(self) -> bytes:
        if self._status_doc is None:
            status_list = StatusList.build(self.statuses.items(), size=MIN_SIZE, issued_at=int(self.clock()), ttl=self.ttl)
            self._status_doc = json.dumps(status_list.sign(self.key), separators=(",", ":")).encode()
        return self._status_doc

    def set_status(self, ref: int, status: int) -> None:
        """Suspend (1), revoke (2) or reactivate (0) a credential; the list is re-signed."""
        self.statuses[ref] = status
        self._status_doc = None

    def fetches(self, path: str) -> list[int]:
        return [status for p, status in self.requests if p == path]

    @property
    def app(self) -> Starlette:
        def serve(body_of: Any):
            async def endpoint(request: Request) -> Response:
                if self.broken:
                    self.requests.append((request.url.path, 500))
                    return Response("down", status_code=500)
                body = body_of()
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                if request.headers.get("if-none-match") == etag:
                    self.requests.append((request.url.path, 304))
                    return Response(status_code=304, headers={"ETag": etag})
                self.requests.append((request.url.path, 200))
                return Response(body, media_type="application/json", headers={"ETag": etag})

            return endpoint

        async def officer_assertion(request: Request) -> Response:
            """The issuer's officer sign-in: one account, ``wang.li`` / ``right-password`` / ``123456``."""
            body = await request.json()
            if (body.get("username"), body.get("password"), body.get("otp")) != OFFICER_SIGN_IN:
                return JSONResponse({"error": "SIGN_IN_FAILED", "message": {"zh": "登录失败", "en": "sign-in failed"}},
                                    status_code=401)
            now = int(self.clock())
            claims = OfficerAssertion("wang.li", "王立", "field", "06-P", 6, now, now + 60)
            return JSONResponse({"assertion": sign_assertion(self.key, claims)})

        async def disabled_officers(request: Request) -> Response:
            text = sign_officer_list(self.key, self.disabled_officers, issued_at=int(self.clock()), ttl=60)
            return JSONResponse({"document": text})

        return Starlette(
            routes=[
                Route("/.well-known/permit-keys.json", serve(self.keyset_bytes)),
                Route("/v1/status-list", serve(self.status_bytes)),
                Route("/v1/officers/assertion", officer_assertion, methods=["POST"]),
                Route("/v1/officers/disabled", disabled_officers),
            ]
        )


def write_test_keys(path: Path) -> Path:
    write_keys_file(
        path,
        [
            {"name": "police-1", "role": "official", "sha256": key_digest(OFFICIAL_KEY).hex()},
            {"name": "landlord-1", "role": "business", "sha256": key_digest(BUSINESS_KEY).hex()},
        ],
    )
    return path


def make_config(tmp: Path, **overrides: Any) -> Config:
    keys = tmp / "api-keys.json"
    if not keys.exists():
        write_test_keys(keys)
    settings: dict[str, Any] = {
        "issuer_url": ISSUER_URL,
        "api_keys_file": keys,
        "audit_key": Secret(AUDIT_KEY),
        "audit_file": tmp / "audit.jsonl",
        "rotation_secret": Secret(ROTATION_SECRET),
        "var_dir": tmp / "var",
        "rate_per_s": 1000.0,
        "rate_burst": 1000,
    }
    settings.update(overrides)
    return Config(**settings)


def settle_replay_epoch(client: Any, *, cluster: bool = False, since: float = NOW - 3600, prefix: str = "verifier") -> None:
    """Make a new Redis look like one that has held every replay claim since ``since``.

    A store with no epoch marker may have lost claims, so the verifier refuses
    the codes of the first steps it sees on it (see verifier.replay); tests of
    other behaviour start from a store that has been running for a while.
    """
    markers = [f"{prefix}:{{rp:{tag:02x}}}:replay-epoch" for tag in range(256)] if cluster else [f"{prefix}:replay-epoch"]
    for marker in markers:
        client.hset(marker, mapping={"e": repr(since), "n": 0})


class Verifier:
    """One verifier app under test, served in-process through Starlette's TestClient (httpx)."""

    def __init__(self, config: Config, issuer: FakeIssuer, clock: Clock) -> None:
        self.config = config
        self.issuer = issuer
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=issuer.app))
        self.app = create_app(config, clock=clock, http_client=self.http, background_sync=False)
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self.client.__enter__()

    @property
    def service(self) -> Service:
        return self.app.state.service

    def tick(self, *, force: bool = False) -> None:
        """One refresh step of the key set / status list sync, in the app's event loop."""
        assert self.client.portal is not None
        self.client.portal.call(lambda: self.service.sync.tick(force=force))

    def verify(self, code: Any, key: str | None = OFFICIAL_KEY, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.client.post("/v1/verify", json={"code": code}, headers=headers, **kwargs)

    def batch(self, codes: list[Any], key: str | None = OFFICIAL_KEY) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.client.post("/v1/verify/batch", json={"codes": codes}, headers=headers)

    def flush_audit(self) -> None:
        """Write the buffered audit records now (the service does it every 200 ms)."""
        self.service.audit.flush()

    def audit_lines(self) -> list[dict[str, Any]]:
        self.flush_audit()
        path = self.config.audit_file
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def close(self) -> None:
        self.client.__exit__(None, None, None)
