"""The device-bound offline code end to end, in headless Chromium, with the network cut on both sides.

A real issuer (holder page, device keys, status list) and a real verifier
service without any rotation secret; the holder page enrols, binds a
non-extractable key and, offline, shows the device-bound code; a scanner page
that is offline too tells the live code from a replay, from a copy of the pass
signed by another browser's key, and, after its next status sync, from the code
of a phone that was removed. A second holder whose browser has no Ed25519 binds
a P-256 key; a third whose browser can create no key keeps the weaker
one-time-code pass, labelled as such.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest
from PIL import Image

from tests.fixtures.browser import WEBCRYPTO_WITHOUT_DEVICE_KEYS, WEBCRYPTO_WITHOUT_ED25519, wait_until, write_y4m
from tests.fixtures.live_pair import enrolled_holder_page, start_issuer, start_verifier
from tests.issuer.app_helpers import ADMIN
from tests.scanner.page_helpers import WAIT_MS, next_verdict, open_scanner, sign_in, wait_data_cached, wedge_scan

pytestmark = pytest.mark.browser

LOAD_KEY = """async () => {
  const {loadDeviceKey} = await import('/holder/static/device-binding.js');
  const key = await loadDeviceKey();
  if (!key) return null;
  let exported = 'exported';
  try { await crypto.subtle.exportKey('pkcs8', key.privateKey); } catch (e) { exported = e.name; }
  let jwk = 'exported';
  try { await crypto.subtle.exportKey('jwk', key.privateKey); } catch (e) { jwk = e.name; }
  return {alg: key.alg, extractable: key.privateKey.extractable, exported, jwk, registered: key.registered};
}"""

#: the code the holder page would show now, computed by its own modules (a later step than the QR on screen)
CODE_NOW = """async () => {
  const {deviceCodeAt, loadDeviceKey} = await import('/holder/static/device-binding.js');
  const pass = JSON.parse(localStorage.getItem('rp.device_pass'));
  return (await deviceCodeAt(pass, await loadDeviceKey(), Date.now() / 1000)).text;
}"""

#: another browser's own key signing the current step of a pass it copied
FORGE = """async (passJson) => {
  const dk = await import('/lib/device-key.js');
  const wire = await import('/lib/wire.js');
  const b = await import('/lib/bytes.js');
  const pair = await crypto.subtle.generateKey({name: 'Ed25519'}, false, ['sign', 'verify']);
  const held = JSON.parse(passJson);
  const pass = b.b64uDecode(held.pass);
  const step = Math.floor(Date.now() / 1000 / held.period);
  const signature = await dk.signWithDeviceKey('Ed25519', pair.privateKey, wire.deviceStepMessage(pass, step));
  return wire.deviceText(pass, step, signature);
}"""


@pytest.fixture
def issuer_url(live_server: Callable[[Any], str], tmp_path: Path) -> str:
    return start_issuer(live_server, tmp_path, seed=14)


@pytest.fixture
def admin(issuer_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=issuer_url, timeout=10) as client:
        yield client


@pytest.fixture
def verifier(live_server: Callable[[Any], str], tmp_path: Path, issuer_url: str) -> dict[str, str]:
    """The verifier service: key set and status list from the issuer every second, no rotation secret."""
    return start_verifier(live_server, tmp_path, issuer_url, key_name="officer-basement", role="official")


def go_offline(page: Any, mode: str) -> str:
    """Cut the holder's network; the code the page then shows in ``mode``."""
    page.context.set_offline(True)
    page.wait_for_selector(f"#qr[data-mode={mode}] svg", timeout=WAIT_MS)
    return str(page.get_attribute("#qr", "data-code"))


def offline_scanner(browser: Any, verifier: dict[str, str]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 780})
    page = open_scanner(context, verifier["url"])
    sign_in(page, verifier["key"])
    wait_data_cached(page)
    context.set_offline(True)
    return page


def test_device_bound_code_offline_on_both_sides(browser: Any, browser_with_camera: Any, tmp_path: Path,
                                                 issuer_url: str, admin: httpx.Client,
                                                 verifier: dict[str, str]) -> None:
    holder = enrolled_holder_page(browser, issuer_url, admin, "张三")
    holder.wait_for_function("() => !!localStorage.getItem('rp.device_pass')", timeout=WAIT_MS)
    key = holder.evaluate(LOAD_KEY)
    assert key == {"alg": "Ed25519", "extractable": False, "exported": "InvalidAccessError",
                   "jwk": "InvalidAccessError", "registered": True}

    scanner = offline_scanner(browser, verifier)
    go_offline(holder, "device")
    assert holder.is_visible("#offline-banner")
    assert "设备绑定离线码" in holder.text_content("#offline-mode")
    assert "设备绑定" in holder.get_attribute("#qr", "aria-label")
    shown = str(holder.get_attribute("#qr", "data-code"))
    valid = wedge_scan(scanner, shown)
    assert (valid["reason"], valid["offline"]) == ("VALID", True), valid
    assert valid["claims"]["name"] == "张三"
    replayed = wedge_scan(scanner, shown)
    assert (replayed["reason"], replayed["offline"]) == ("REPLAYED", True)

    # Another browser copies the pass and signs the current step with its own key.
    thief = browser.new_context().new_page()
    thief.goto(issuer_url + "/holder/")
    copied = thief.evaluate(FORGE, holder.evaluate("localStorage.getItem('rp.device_pass')"))
    forged = wedge_scan(scanner, copied)
    assert (forged["reason"], forged["offline"]) == ("BAD_DEVICE_SIGNATURE", True)

    # The phone's screen through a handheld's camera, to the service (single verification): the
    # service's replay store has not seen its code, only the offline handheld's own store has.
    screen = Image.open(io.BytesIO(holder.locator("#qr").screenshot()))
    camera = browser_with_camera(write_y4m(screen, tmp_path / "device.y4m", pad=32, fps=10))
    online = open_scanner(camera.new_context(locale="zh-CN", viewport={"width": 390, "height": 780}), verifier["url"])
    sign_in(online, verifier["key"])
    seen = next_verdict(online, 0)
    assert (seen["reason"], seen["offline"]) == ("VALID", False), seen
    online.context.close()

    # The holder reports the phone lost; the offline handheld's next status sync refuses its codes.
    device_id = admin.get(f"/admin/credentials/{holder.cred_id}/devices", headers=ADMIN).json()["devices"][0]["device_id"]
    assert admin.post(f"/admin/devices/{device_id}/revoke", headers=ADMIN).status_code == 200
    # The list the issuer publishes now holds the revocation; a list issued earlier in the same
    # second does not, so the syncs are awaited by content, not by issue time.
    revoked = admin.get("/v1/status-list").json()
    with httpx.Client(base_url=verifier["url"], timeout=10) as v:
        deadline = time.time() + 20
        while v.get("/v1/status-list").json()["list"] != revoked["list"]:
            assert time.time() < deadline, "the verifier did not sync the status list"
            time.sleep(0.2)
    scanner.context.set_offline(False)
    # What the handheld's offline check uses: the status list in its memory (saved to the device
    # just after), at least as new as the one holding the revocation.
    wait_until(scanner, """async (issuedAt) => {
      const {offlineData} = await import('/scan/offline-data.js');
      const {statusList} = offlineData();
      return !!statusList && statusList.issuedAt >= issuedAt;
    }""", revoked["issued_at"], timeout_ms=WAIT_MS)
    scanner.context.set_offline(True)
    lost = wedge_scan(scanner, holder.evaluate(CODE_NOW))
    assert (lost["reason"], lost["offline"]) == ("REVOKED", True)


def test_p256_where_ed25519_is_missing_and_the_weaker_mode_where_no_key_can_be_made(
    browser: Any, issuer_url: str, admin: httpx.Client, verifier: dict[str, str]
) -> None:
    p256 = enrolled_holder_page(browser, issuer_url, admin, "李四", init_script=WEBCRYPTO_WITHOUT_ED25519)
    p256.wait_for_function("() => !!localStorage.getItem('rp.device_pass')", timeout=WAIT_MS)
    key = p256.evaluate(LOAD_KEY)
    assert (key["alg"], key["extractable"], key["exported"]) == ("P-256", False, "InvalidAccessError")
    device_code = go_offline(p256, "device")

    weak = enrolled_holder_page(browser, issuer_url, admin, "王五", init_script=WEBCRYPTO_WITHOUT_DEVICE_KEYS,
                                seq=2)
    weak.wait_for_function("() => !!localStorage.getItem('rp.pass')", timeout=WAIT_MS)
    assert weak.evaluate(LOAD_KEY) is None
    totp_code = go_offline(weak, "pass")
    assert "较弱模式" in weak.text_content("#offline-mode")
    weak.click("#lang")
    assert "Weaker mode" in weak.text_content("#offline-mode")

    scanner = offline_scanner(browser, verifier)
    valid = wedge_scan(scanner, device_code)
    assert (valid["reason"], valid["offline"], valid["claims"]["name"]) == ("VALID", True, "李四"), valid
    assert scanner.text_content("#verdict-mode") == "设备绑定离线码"
    assert wedge_scan(scanner, totp_code)["reason"] == "LIVENESS_UNVERIFIABLE"
    assert scanner.text_content("#verdict-mode") == "离线码（一次性码，较弱模式）"  # the weaker mode, in the verdict
