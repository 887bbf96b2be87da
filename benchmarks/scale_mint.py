"""The issuer's minting capacity for 100,000 phones showing their permit at once.

A phone showing its permit fetches one live code per rotation period
(``GET /v1/holder/live``), so ``phones`` phones at once ask for ``phones /
period`` codes a second. Two costs are measured, both in CPU time of this
process (the machine is shared: wall time would count other people's work):

* ``Minter.mint_live``: the issuer's minting (status check, pack, one Ed25519
  signature, base45) for a stored credential;
* ``GET /v1/holder/live`` through the issuer's whole ASGI app (middleware,
  routing, the device token's lookup and the device's last use on a SQLite
  registry, minting, JSON), one enrolled phone, each request handed to the app
  as a server hands it over; HTTP parsing (uvicorn with httptools) is not
  counted.

Cores needed = codes a second asked for / codes per CPU-second.
"""

from __future__ import annotations

import random
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from issuer.config import Config as IssuerConfig
from issuer.minting import Minter
from issuer.model import Credential, Status
from keys.keypair import SigningKey
from keys.vocabulary import PermitType

from .kit import ROTATION_SECRET, SEED

__all__ = ["MintFigure", "PHONES", "mint_capacity"]

#: issue 11: 100,000 phones showing their permit at once
PHONES = 100_000
#: 2026-11-23T10:00:03+08:00
NOW = 1_795_399_203.0


@dataclass(frozen=True)
class MintFigure:
    path: str
    codes: int
    cpu_seconds: float
    phones: int
    period_s: int

    @property
    def per_cpu_second(self) -> float:
        return self.codes / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def needed_per_s(self) -> float:
        return self.phones / self.period_s

    @property
    def cores(self) -> float:
        return self.needed_per_s / self.per_cpu_second if self.per_cpu_second else float("inf")


def _credential() -> Credential:
    return Credential(
        cred_id="0123456789abcdef", card_number="JZZ202600000001", permit_type=PermitType(1),
        holder_name="张晓明", id_number="11010119900307123X", address="北京市朝阳区建国路88号",
        district_code=5, issued_on=date(2026, 1, 5), valid_from=date(2026, 1, 5),
        valid_until=date(2031, 6, 30), status=Status.ACTIVE, revoke_reason=None, version=1,
        status_index=123_456,
    )


def mint_in_process(codes: int, phones: int, period_s: int) -> MintFigure:
    """``codes`` live codes through ``Minter.mint_live``, as the holder endpoint calls it."""
    minter = Minter(SigningKey(SEED), ROTATION_SECRET, period_s=period_s)
    credential = _credential()
    mint = minter.mint_live
    for _ in range(min(codes, 200)):  # warm up
        mint(credential, NOW)
    started = time.process_time()
    for n in range(codes):
        mint(credential, NOW + n % period_s)
    return MintFigure("Minter.mint_live (in process)", codes, time.process_time() - started, phones, period_s)


def _live_scope(authorization: str) -> dict[str, Any]:
    path = "/v1/holder/live"
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "state": {},
            "headers": [(b"host", b"issuer.test"), (b"authorization", authorization.encode())],
            "client": ("127.0.0.1", 40000), "server": ("issuer.test", 80)}


async def _serve_live(app: Any, authorization: str, count: int) -> list[int]:
    """``count`` requests handed to the ASGI app as a server would: the statuses answered."""
    scope = _live_scope(authorization)
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for _ in range(count):
        await app(dict(scope), receive, send)
    return statuses


def mint_over_app(codes: int, phones: int, period_s: int) -> MintFigure:
    """``codes`` requests of ``GET /v1/holder/live`` by one enrolled phone, handed to the issuer's app in process."""
    from issuer.app import create_app
    from issuer.devkeys import open_keys
    from tests.fixtures.clock import Clock
    from tests.issuer.app_helpers import enrol, issue, make_config

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    with tempfile.TemporaryDirectory(prefix="scale-mint-") as tmp:
        base = Path(tmp)
        config: IssuerConfig = make_config(base, period_s=period_s)
        clock = Clock(NOW)
        keys = open_keys(config, NOW - 86_400)
        app = create_app(config, clock=clock, keys=keys, registry_rng=random.Random(7))
        with TestClient(app) as client:  # the app's start-up, and a phone enrolled through the API
            authorization = enrol(client, issue(client)["cred_id"])["Authorization"]
            assert client.portal is not None
            client.portal.call(_serve_live, app, authorization, min(codes, 50))  # warm up
            started = time.process_time()
            statuses = client.portal.call(_serve_live, app, authorization, codes)
            cpu = time.process_time() - started
    if statuses != [200] * codes:
        raise RuntimeError(f"GET /v1/holder/live answered {sorted(set(statuses))}")
    return MintFigure("GET /v1/holder/live through the issuer's ASGI app", codes, cpu, phones, period_s)


def mint_capacity(codes: int, http_requests: int, phones: int = PHONES,
                  period_s: int | None = None) -> list[MintFigure]:
    """Both measurements at the issuer's configured rotation period (15 s unless given)."""
    period = period_s or IssuerConfig().period_s
    return [mint_in_process(codes, phones, period), mint_over_app(http_requests, phones, period)]


def describe(figure: MintFigure) -> dict[str, Any]:
    return {"path": figure.path, "codes": figure.codes, "per_cpu_second": round(figure.per_cpu_second),
            "phones": figure.phones, "period_s": figure.period_s, "codes_per_s_needed": round(figure.needed_per_s),
            "cores_needed": round(figure.cores, 2)}
