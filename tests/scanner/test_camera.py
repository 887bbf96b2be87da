"""Camera scanning end to end: Chromium's fake camera shows a QR code (rendered
by segno, as the holder page's QR) and the page decodes, verifies and shows the
verdict. The fake camera loops one frame forever, which is also what a code
held still in front of a handheld looks like: the page must pass it on once,
not once per frame, and again only after the official dismissed the verdict."""

from __future__ import annotations

import io
import random
import time

import httpx
import pytest
from PIL import Image
from keys.statuslist import REVOKED

from tests.fixtures.browser import qr_png, write_y4m

from .codes import PERIOD, claims
from .page_helpers import WAIT_MS, assert_tone, next_verdict, open_scanner, read_verdict, scans_shown, sign_in

pytestmark = pytest.mark.browser


def _camera_page(browser_with_camera, tmp_path, verifier, text: str):
    y4m = write_y4m(qr_png(text, error="m"), tmp_path / "qr.y4m", pad=48, fps=10)
    browser = browser_with_camera(y4m)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 780})
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    page.wait_for_selector("body[data-camera='on']", timeout=WAIT_MS)
    return page


def test_scan_again_with_the_same_phone_keeps_the_verdict(browser_with_camera, tmp_path, verifier, issuer):
    """The official taps "scan again" with the holder's phone still in view: the honest holder is not REPLAYED."""
    code = issuer.minted(claims(name="张伟"), at=time.time(), period=120)  # acceptable however slow the browser starts
    page = _camera_page(browser_with_camera, tmp_path, verifier, code)

    valid = next_verdict(page, 0)
    assert valid["reason"] == "VALID" and valid["claims"]["name"] == "张伟"
    assert valid["repeat"] is None
    assert_tone(page, valid, "valid")
    assert page.evaluate("window.__vibrations") == [[80]]

    # The code stays in view: it is decoded over and over, but not sent again.
    decoded = int(page.get_attribute("#camera", "data-decoded") or 0)
    page.wait_for_function(
        "(n) => Number(document.getElementById('camera').dataset.decoded) >= n", arg=decoded + 10, timeout=WAIT_MS
    )
    assert scans_shown(page) == 1

    # The official taps the verdict away; the camera reads the same code again at once.
    page.click("#verdict")
    page.wait_for_selector("#verdict[data-repeat='true']:not([hidden])", timeout=WAIT_MS)
    again = read_verdict(page)
    assert again["reason"] == "VALID" and again["claims"]["name"] == "张伟"
    assert again["repeat"] is not None and again["repeat"].startswith("此码已于 ")
    assert_tone(page, again, "valid")
    assert scans_shown(page) == 1  # the same presentation, not a second scan
    assert page.evaluate("window.__vibrations") == [[80], [80]]

    # Shown to another handheld, the same code is a replay: the service still says so.
    other = verify_through_api(verifier, code)
    assert other == "REPLAYED"


def verify_through_api(verifier, code: str) -> str:
    response = httpx.post(f"{verifier.url}/v1/verify", json={"code": code},
                          headers={"Authorization": f"Bearer {verifier.official_key}"})
    return str(response.json()["reason"])


def test_code_minted_a_minute_ago_is_stale(browser_with_camera, tmp_path, verifier, issuer):
    code = issuer.minted(claims(), step=int(time.time() // PERIOD) - 5)
    page = _camera_page(browser_with_camera, tmp_path, verifier, code)
    stale = next_verdict(page, 0)
    assert stale["reason"] == "STALE"
    assert stale["zh"] == "二维码已过期：疑似截图或照片，请出示实时二维码"
    assert_tone(page, stale, "refused")


def test_revoked_credential(browser_with_camera, tmp_path, start_verifier, issuer):
    issuer.statuses[4242] = REVOKED
    verifier = start_verifier()
    page = _camera_page(browser_with_camera, tmp_path, verifier, issuer.minted(claims(name="李娜", ref=4242), at=time.time()))
    revoked = next_verdict(page, 0)
    assert revoked["reason"] == "REVOKED" and revoked["claims"]["name"] == "李娜"
    assert_tone(page, revoked, "refused")


def test_holder_page_qr_scanned_end_to_end(browser, browser_with_camera, tmp_path, live_server, start_verifier):
    """The issuer's holder page shows a live QR; the handheld's camera sees that screen."""
    from issuer.app import create_app as create_issuer_app
    from tests.issuer.app_helpers import ADMIN, issue, make_config

    issuer_url = live_server(create_issuer_app(make_config(tmp_path / "issuer"), clock=time.time, registry_rng=random.Random(5)))
    with httpx.Client(base_url=issuer_url, timeout=10) as http:
        cred = issue(http, name="张三")
        enrolment = http.post(f"/admin/credentials/{cred['cred_id']}/enrolment", headers=ADMIN).json()["code"]
    holder = browser.new_context(viewport={"width": 400, "height": 900}, service_workers="block", locale="zh-CN").new_page()
    holder.goto(issuer_url + "/holder/")
    holder.fill("#enrol-code", enrolment)
    holder.fill("#enrol-label", "测试手机")
    holder.click("#enrol-submit")
    holder.wait_for_selector("#qr[data-mode=live] svg", timeout=WAIT_MS)
    shown = holder.get_attribute("#qr", "data-code")
    screen = Image.open(io.BytesIO(holder.locator("#qr").screenshot()))

    verifier = start_verifier(issuer_url=issuer_url)
    y4m = write_y4m(screen, tmp_path / "holder.y4m", pad=32, fps=10)
    context = browser_with_camera(y4m).new_context(locale="zh-CN", viewport={"width": 390, "height": 780})
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    verdict = next_verdict(page, 0)
    assert verdict["reason"] == "VALID", (verdict, shown)
    assert verdict["claims"]["name"] == "张三" and verdict["claims"]["district"] == "朝阳区"
    assert_tone(page, verdict, "valid")
