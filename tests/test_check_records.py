"""Who checked my permit: verifier checks recorded, sealed, pushed and shown to the holder, over HTTP.

A real issuer app and a real verifier app, the verifier reaching the issuer
through httpx's ASGI transport, both on the shared clock: online, batch and
uploaded offline checks appear on the holder's list, newest first, with the
organisation's names, the role, the mode, the verdict and the names of the
fields disclosed; the retention is enforced on both sides.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import warnings
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from issuer.app import create_app as create_issuer_app
from issuer.devkeys import KeyMaterial
from keys.edge.env import Secret
from keys.sealed_ref import SealError, new_private_key, open_ref, public_key_of, seal_ref
from tests.fixtures.clock import Clock
from tests.issuer.app_helpers import T0, enrol, issue, live_code, make_config
from verifier.app import create_app as create_verifier_app
from verifier.auth import key_digest, write_keys_file
from verifier.check_records import RETENTION_S
from verifier.config import Config
from verifier.disclosure import OFFICIAL_FIELDS, disclosed_fields, verdict_json
from verifier.organisations import add_organisation

from tests.issuer.app_helpers import issuer_keys  # noqa: F401  (the session's issuer key store)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

OFFICIAL_KEY = "vk_official-check-key-0123456789abcdefghijklm"
BUSINESS_KEY = "vk_business-check-key-0123456789abcdefghijklm"
AUDIT_KEY = bytes(range(40, 72))


class World:
    """An issuer and a verifier that pushes its check records to it."""

    def __init__(self, tmp: Path, clock: Clock, keys: KeyMaterial) -> None:
        self.clock = clock
        self.issuer_app = create_issuer_app(make_config(tmp / "issuer"), clock=clock, keys=keys,
                                            registry_rng=random.Random(3))
        self.issuer = TestClient(self.issuer_app)
        self.issuer.__enter__()
        dev = tmp / "issuer" / "dev"
        orgs = tmp / "verifier" / "organisations.json"
        add_organisation(orgs, "lianjia-hd", "链家地产海淀店", "Lianjia Haidian", "business")
        add_organisation(orgs, "police-hd", "海淀公安分局", "Haidian Police", "official")
        write_keys_file(tmp / "verifier" / "api-keys.json", [
            {"name": "hd-desk-1", "role": "official", "sha256": key_digest(OFFICIAL_KEY).hex(),
             "organisation": "police-hd"},
            {"name": "lj-1", "role": "business", "sha256": key_digest(BUSINESS_KEY).hex(),
             "organisation": "lianjia-hd"},
        ])
        config = Config(
            issuer_url="http://issuer.test", api_keys_file=tmp / "verifier" / "api-keys.json",
            audit_key=Secret(AUDIT_KEY), audit_file=tmp / "verifier" / "audit.jsonl",
            rotation_secret=Secret(keys.rotation_secret), var_dir=tmp / "verifier" / "var",
            checks_public_key=base64.b64decode((dev / "check-records-public-key").read_text()),
            checks_token=Secret((dev / "verifier-checks-token").read_text().strip()),
        )
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.issuer_app), base_url="http://issuer.test")
        self.verifier_app = create_verifier_app(config, clock=clock, http_client=self.http, background_sync=False)
        self.verifier = TestClient(self.verifier_app)
        self.verifier.__enter__()

    @property
    def service(self) -> Any:
        return self.verifier_app.state.service

    def sync(self) -> None:
        assert self.verifier.portal is not None
        self.verifier.portal.call(lambda: self.service.sync.tick(force=True))

    def push(self) -> int:
        assert self.verifier.portal is not None
        return int(self.verifier.portal.call(self.service.push_check_records))

    def verify(self, code: str, key: str) -> httpx.Response:
        return self.verifier.post("/v1/verify", json={"code": code}, headers={"Authorization": f"Bearer {key}"})

    def checks(self, device: dict[str, str]) -> list[dict[str, Any]]:
        r = self.issuer.get("/v1/holder/checks", headers=device)
        assert r.status_code == 200, r.text
        return list(r.json()["checks"])

    def close(self) -> None:
        self.verifier.__exit__(None, None, None)
        self.issuer.__exit__(None, None, None)


@pytest.fixture
def world(tmp_path: Path, issuer_keys: KeyMaterial) -> Iterator[World]:  # noqa: F811
    w = World(tmp_path, Clock(T0), issuer_keys)
    try:
        yield w
    finally:
        w.close()


def test_a_sealed_reference_opens_only_with_the_issuers_key():
    key, other = new_private_key(), new_private_key()
    hashed = hashlib.sha256((4711).to_bytes(3, "big")).digest()
    sealed = seal_ref(public_key_of(key), hashed)
    assert open_ref(key, sealed) == hashed
    assert seal_ref(public_key_of(key), hashed) != sealed  # a fresh ephemeral key each time: unlinkable
    with pytest.raises(SealError):
        open_ref(other, sealed)
    with pytest.raises(SealError):
        open_ref(key, sealed[:-2] + ("AA" if sealed[-2:] != "AA" else "BB"))
    with pytest.raises(SealError):
        open_ref(key, "s1.not-a-sealed-value")


def test_disclosed_fields_name_exactly_the_claims_of_the_body(world: World):
    cred = issue(world.issuer)
    code = live_code(world.issuer, enrol(world.issuer, cred["cred_id"]))
    world.sync()
    verdict, _ = world.service.verify(code, world.service.keys and _caller("lj-1", "business"))
    for role in ("official", "business"):
        body = verdict_json(verdict, role, 0.0)
        assert disclosed_fields(verdict, role) == (*(body["claims"] or ()), *body.get("disclosed", ()))


def _caller(name: str, role: str) -> Any:
    from verifier.auth import Caller

    return Caller(name, role, "key")


def test_online_batch_and_offline_checks_reach_the_holder_newest_first(world: World):
    cred = issue(world.issuer)
    device = enrol(world.issuer, cred["cred_id"])
    world.sync()
    assert world.verify(live_code(world.issuer, device), BUSINESS_KEY).json()["valid"] is True
    world.clock.advance(60)
    r = world.verifier.post("/v1/verify/batch", json={"codes": [live_code(world.issuer, device), "RP:garbage"]},
                            headers={"Authorization": f"Bearer {OFFICIAL_KEY}"})
    assert r.status_code == 200
    world.clock.advance(60)
    hashed = hashlib.sha256(int(cred["status_index"]).to_bytes(3, "big")).hexdigest()
    scanned_at = world.clock() - 30
    r = world.verifier.post("/v1/scans", headers={"Authorization": f"Bearer {OFFICIAL_KEY}"}, json={"records": [
        {"scanned_at": scanned_at, "reason": "VALID", "mode": "PASS", "offline": True, "device": "hh-7",
         "cred_ref_hash": hashed},
        {"scanned_at": scanned_at, "reason": "MALFORMED", "mode": None, "offline": True, "device": "hh-7",
         "cred_ref_hash": None},
    ]})
    assert r.json()["accepted"] == 2
    assert world.checks(device) == []  # nothing reaches the issuer before the push
    assert world.push() == 3  # the unreadable code names no permit: no record
    checks = world.checks(device)
    assert [c["mode"] for c in checks] == ["PASS", "MINTED", "MINTED"]  # the offline scan is the newest
    offline, batch, online = checks
    assert offline["offline"] is True and offline["organisation"] == {"zh": "海淀公安分局", "en": "Haidian Police"}
    assert offline["fields"] == list(OFFICIAL_FIELDS) and offline["role"] == "official"
    assert batch["offline"] is False and batch["organisation"]["en"] == "Haidian Police"
    assert {k: online[k] for k in ("organisation", "role", "mode", "reason", "valid", "fields", "offline")} == {
        "organisation": {"zh": "链家地产海淀店", "en": "Lianjia Haidian"},
        "role": "business", "mode": "MINTED", "reason": "VALID", "valid": True,
        "fields": ["district", "permit_type", "valid_until"], "offline": False,
    }
    assert online["checked_at"] == "2026-11-23T02:00:03.000Z"
    assert online["mode_label"] == {"zh": "实时码", "en": "live code"}
    assert [f["en"] for f in online["field_labels"]] == ["district", "permit type", "validity"]
    text = json.dumps(checks, ensure_ascii=False)
    assert "张三" not in text and cred["status_index"] not in (c.get("ref") for c in checks)
    assert world.push() == 0  # acknowledged records left the verifier's outbox


def test_the_verifier_keeps_nothing_that_names_the_permit(world: World):
    cred = issue(world.issuer)
    device = enrol(world.issuer, cred["cred_id"])
    world.sync()
    world.verify(live_code(world.issuer, device), OFFICIAL_KEY)
    world.service.checks.flush()
    [waiting] = world.service.check_pusher.outbox.peek(10)
    ref = int(cred["status_index"])
    text = json.dumps(waiting)
    assert str(ref) not in text and hashlib.sha256(ref.to_bytes(3, "big")).hexdigest() not in text
    assert waiting["holder"].startswith("s1.")


def test_pushing_needs_a_verifier_token_and_bad_records_are_refused_alone(world: World):
    records = {"records": [{"id": "0" * 32}]}
    assert world.issuer.post("/v1/check-records", json=records).status_code == 401
    assert world.issuer.post("/v1/check-records", json=records,
                             headers={"Authorization": "Bearer wrong-token-wrong-token"}).status_code == 401
    token = world.service.check_pusher._token
    r = world.issuer.post("/v1/check-records", json={"records": [{"id": "0" * 32}, "x"]},
                          headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and [x["index"] for x in r.json()["rejected"]] == [0, 1]
    r = world.issuer.post("/v1/check-records", json={"records": "x"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400


def test_retention_is_enforced_on_both_sides(world: World):
    cred = issue(world.issuer, years=3)
    device = enrol(world.issuer, cred["cred_id"])
    world.sync()
    world.verify(live_code(world.issuer, device), BUSINESS_KEY)
    world.push()
    assert len(world.checks(device)) == 1
    # The verifier could not reach the issuer for 180 days: the record waiting there is dropped, never sent.
    world.verify(live_code(world.issuer, device), BUSINESS_KEY)
    world.service.checks.flush()
    world.clock.advance(RETENTION_S + 60)
    assert world.push() == 0 and len(world.service.check_pusher.outbox) == 0
    # ... and the issuer no longer shows, and on the next push deletes, the one it had.
    assert world.checks(device) == []
    world.sync()
    world.verify(live_code(world.issuer, device), BUSINESS_KEY)
    assert world.push() == 1
    assert len(world.checks(device)) == 1
    db_rows = world.issuer_app.state.issuer.worker.call_sync(
        lambda reg, lc: reg.connection.execute("SELECT count(*) FROM check_records").fetchone()[0])
    assert db_rows == 1


def test_command_line_makes_the_key_and_adds_verifiers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import io

    from issuer.cli import main as issuer_main

    monkeypatch.setenv("ISSUER_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PERMIT_KEY_PASSPHRASE", "a-configured-passphrase-0123456789")
    out, err = io.StringIO(), io.StringIO()
    key_file = tmp_path / "checks-key"
    assert issuer_main(["new-checks-key", "--out", str(key_file)], stdout=out, stderr=err) == 0
    public = base64.b64decode(out.getvalue().strip())
    assert len(public) == 32 and (key_file.stat().st_mode & 0o777) == 0o600
    assert issuer_main(["new-checks-key", "--out", str(key_file)], stdout=out, stderr=err) == 2
    monkeypatch.setenv("ISSUER_CHECKS_KEY_FILE", str(key_file))
    out = io.StringIO()
    assert issuer_main(["checks-public-key"], stdout=out, stderr=err) == 0
    assert base64.b64decode(out.getvalue().strip()) == public
    verifiers = tmp_path / "verifiers.json"
    out = io.StringIO()
    assert issuer_main(["add-verifier", "--name", "verifier-dc1", "--file", str(verifiers)], stdout=out, stderr=err) == 0
    token = out.getvalue().strip()
    assert token.startswith("vt_")
    assert issuer_main(["add-verifier", "--name", "verifier-dc1", "--file", str(verifiers)], stdout=out, stderr=err) == 2
    from issuer.check_keys import open_check_keys
    from issuer.config import Config as IssuerConfig

    keys = open_check_keys(IssuerConfig(checks_key_file=key_file, verifiers_file=verifiers,
                                        passphrase=Secret(b"x" * 20)))
    assert keys.verifier_for(token) == "verifier-dc1" and keys.verifier_for("vt_other") is None
    assert keys.public_key == public
