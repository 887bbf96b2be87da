"""Shared pieces of the issuer service tests: the shared clock at T0, one key store per
session, an app factory, and a verifier fed from the service's own published documents.

Verification goes through verifier.core with the key set and status list fetched
over HTTP, exactly as a real verifier would see them.
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import pytest

from issuer.app import create_app
from keys.edge.env import Secret
from issuer.config import Config
from issuer.devkeys import KeyMaterial, open_keys
from keys.timekeeping import BEIJING
from keys.keyset import KeySet
from keys.statuslist import StatusList
from tests.fixtures.clock import Clock
from tests.issuer.idgen import make_id
from verifier.core import Options, verify
from verifier.replay import MemoryReplayStore
from verifier.status import MemoryStatusSource
from verifier.verdict import Verdict

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ADMIN_TOKEN = "test-admin-token-7Qf3kLm9Zx2Pw8Rt"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
#: 2026-11-23 10:00:03 in Beijing: three seconds into a 15-second step.
T0 = datetime(2026, 11, 23, 10, 0, 3, tzinfo=BEIJING).timestamp()


@pytest.fixture(scope="session")
def issuer_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyMaterial:
    """One development key store for the whole session (generation costs ~0.1 s)."""
    base = tmp_path_factory.mktemp("issuer-keys")
    return open_keys(Config(keys_dir=base / "keys", dev_dir=base / "dev"), T0 - 86400)


def make_config(tmp_path: Path, **overrides: Any) -> Config:
    values: dict[str, Any] = dict(
        registry_path=str(tmp_path / "registry.sqlite3"),
        keys_dir=tmp_path / "keys",
        dev_dir=tmp_path / "dev",
        admin_token=Secret(ADMIN_TOKEN),
    )
    values.update(overrides)
    return Config(**values)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def app(tmp_path: Path, clock: Clock, issuer_keys: KeyMaterial):  # type: ignore[no-untyped-def]
    return create_app(make_config(tmp_path), clock=clock, keys=issuer_keys, registry_rng=random.Random(7))


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


def issue(client: TestClient, *, seq: int = 1, name: str = "张三", permit_type: int = 1,
          district: Any = "朝阳区", years: int = 1, **extra: Any) -> dict[str, Any]:
    body = {"permit_type": permit_type, "name": name, "id_number": make_id(seq=seq),
            "address": "北京市朝阳区建国路88号", "district": district, "years": years, **extra}
    r = client.post("/admin/credentials", json=body, headers=ADMIN)
    assert r.status_code == 201, r.text
    return r.json()


def enrol(client: TestClient, cred_id: str, label: str = "test phone") -> dict[str, str]:
    """Enrol a device for the credential; the Authorization header for it."""
    r = client.post(f"/admin/credentials/{cred_id}/enrolment", headers=ADMIN)
    assert r.status_code == 201, r.text
    r = client.post("/v1/holder/enrol", json={"code": r.json()["code"], "label": label})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['device_token']}"}


def live_code(client: TestClient, device: dict[str, str]) -> str:
    r = client.get("/v1/holder/live", headers=device)
    assert r.status_code == 200, r.text
    return str(r.json()["code"])


@dataclass
class Checker:
    """verifier.core fed with the service's published key set and status list."""

    keyset: KeySet
    status: MemoryStatusSource
    rotation_secret: bytes | None

    def verify(self, text: str, now: float, *, with_secret: bool = True) -> Verdict:
        options = Options(rotation_secret=self.rotation_secret if with_secret else None)
        return verify(text, now, self.keyset, self.status, MemoryReplayStore(), options)


def checker(client: TestClient, now: float, rotation_secret: bytes | None = None) -> Checker:
    """Fetch the key set and status list now, as a verifier would."""
    keyset = KeySet.loads(client.get("/.well-known/permit-keys.json").content)
    doc = client.get("/v1/status-list").content
    source = MemoryStatusSource()
    source.load(StatusList.verify(doc, keyset, now), now)
    return Checker(keyset, source, rotation_secret)
