"""Who checked my permit on the holder page, in headless Chromium, after an online and an uploaded offline scan.

A live issuer serves the holder page; a verifier app (through httpx) verifies
the page's own live code for a registered business and takes a handheld's
upload of an offline scan by a police station, then pushes its sealed records.
The page lists both, newest first, with the organisations' names, the role,
the kind of code, the verdict and the names of what each was shown, in Chinese
and, after the switch, in English.
"""

from __future__ import annotations

import base64
import hashlib
import random
import warnings
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from issuer.app import create_app as create_issuer_app
from keys.edge.env import Secret
from tests.issuer.app_helpers import Clock, issue, make_config
from tests.issuer.app_helpers import clock, issuer_keys  # noqa: F401  (fixtures)
from tests.issuer.test_holder_page import enrol_in_page, new_page
from verifier.app import create_app as create_verifier_app
from verifier.auth import key_digest, write_keys_file
from verifier.config import Config
from verifier.organisations import add_organisation

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.browser

OFFICIAL_KEY = "vk_official-page-check-0123456789abcdefghijk"
BUSINESS_KEY = "vk_business-page-check-0123456789abcdefghijk"


@pytest.fixture
def issuer_url(tmp_path: Path, clock: Clock, issuer_keys: Any, live_server: Any) -> str:
    app = create_issuer_app(make_config(tmp_path / "issuer"), clock=clock, keys=issuer_keys,
                            registry_rng=random.Random(21))
    return str(live_server(app))


@pytest.fixture
def verifier(tmp_path: Path, clock: Clock, issuer_keys: Any, issuer_url: str) -> Iterator[TestClient]:
    dev = tmp_path / "issuer" / "dev"
    base = tmp_path / "verifier"
    add_organisation(base / "organisations.json", "lianjia-hd", "链家地产海淀店", "Lianjia Haidian", "business")
    add_organisation(base / "organisations.json", "police-hd", "海淀公安分局", "Haidian Police", "official")
    write_keys_file(base / "api-keys.json", [
        {"name": "hd-1", "role": "official", "sha256": key_digest(OFFICIAL_KEY).hex(), "organisation": "police-hd"},
        {"name": "lj-1", "role": "business", "sha256": key_digest(BUSINESS_KEY).hex(), "organisation": "lianjia-hd"},
    ])
    config = Config(
        issuer_url=issuer_url, api_keys_file=base / "api-keys.json", audit_key=Secret(bytes(range(32))),
        audit_file=base / "audit.jsonl", rotation_secret=Secret(issuer_keys.rotation_secret), var_dir=base / "var",
        checks_public_key=base64.b64decode((dev / "check-records-public-key").read_text()),
        checks_token=Secret((dev / "verifier-checks-token").read_text().strip()),
    )
    with TestClient(create_verifier_app(config, clock=clock, background_sync=False)) as client:
        yield client


@pytest.fixture
def http(issuer_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=issuer_url, timeout=10) as c:
        yield c


def test_the_holder_sees_an_online_and_an_uploaded_offline_check(
        browser: Any, http: httpx.Client, verifier: TestClient, clock: Clock) -> None:
    cred = issue(http)
    page = new_page(browser, str(http.base_url).rstrip("/"), clock())
    enrol_in_page(page, http, cred["cred_id"])
    page.wait_for_selector("#checks-empty:not([hidden])")
    assert page.text_content("#checks-title") == "谁查验了我的居住证"

    token = page.evaluate("localStorage.getItem('rp.device_token')")
    code = http.get("/v1/holder/live", headers={"Authorization": f"Bearer {token}"}).json()["code"]
    online = verifier.post("/v1/verify", json={"code": code}, headers={"Authorization": f"Bearer {BUSINESS_KEY}"})
    assert online.json()["valid"] is True
    clock.advance(120)
    hashed = hashlib.sha256(int(cred["status_index"]).to_bytes(3, "big")).hexdigest()
    upload = verifier.post("/v1/scans", headers={"Authorization": f"Bearer {OFFICIAL_KEY}"}, json={"records": [
        {"scanned_at": clock() - 60, "reason": "VALID", "mode": "DEVICE", "offline": True, "device": "hh-9",
         "cred_ref_hash": hashed}]})
    assert upload.json()["accepted"] == 1
    assert verifier.portal is not None
    service = verifier.app.state.service  # type: ignore[attr-defined]
    assert verifier.portal.call(service.push_check_records) == 2

    page.click("#refresh")
    page.wait_for_selector("#checks-list li >> nth=1")
    first, second = page.locator("#checks-list li").all_inner_texts()
    assert "海淀公安分局" in first and "离线查验" in first and "设备绑定离线码" in first
    assert "姓名" in first and "公务核验" in first
    assert "链家地产海淀店" in second and "实时码" in second and "所属区、证件类型、有效期" in second
    assert "姓名" not in second and cred["name"] not in first + second  # names of fields, never values
    assert page.is_hidden("#checks-empty")

    page.click("#lang")
    page.wait_for_function("() => document.querySelector('#checks-title').textContent === 'Who checked my permit'")
    first, second = page.locator("#checks-list li").all_inner_texts()
    assert "Haidian Police" in first and "offline check" in first
    assert "Lianjia Haidian" in second and "district, permit type, validity" in second
    times = page.eval_on_selector_all("#checks-list time", "ts => ts.map(t => t.dateTime)")
    assert times == sorted(times, reverse=True)

    page.set_viewport_size({"width": 200, "height": 900})  # a 400 px phone at 200% zoom
    assert page.evaluate("document.documentElement.scrollWidth") <= 200
    assert page.evaluate("Math.max(...[...document.querySelectorAll('#checks-list li')].map(e => e.getBoundingClientRect().right))") <= 200
