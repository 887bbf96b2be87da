"""One person from nothing to a live permit, in headless Chromium.

Register → apply for a residence permit with tax proof → book a visit → accepted at
the counter and approved by two named officers in the console → the account shows
the permit → the phone enrols from the account → live QR → the scanner, looking at
that screen through the fake camera, answers VALID.

Every service and page runs on one clock: a fixed Monday (2026-11-23, Beijing)
plus the real time elapsed, so the calendar rules see the same days on every run.
"""

from __future__ import annotations

import io
import random
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from issuer.app import create_app as create_issuer_app
from tests.apply.http_helpers import PDF, sms_code
from tests.fixtures.browser import write_y4m
from tests.issuer.app_helpers import T0, make_config
from tests.issuer.console.conftest import csrf_of, make_officer, sign_in
from tests.issuer.idgen import make_id
from tests.scanner.page_helpers import WAIT_MS, next_verdict
from verifier.app import create_app as create_verifier_app
from verifier.auth import add_key
from verifier.config import Config as VerifierConfig

pytestmark = pytest.mark.browser

PHONE = "13712345678"


class SharedClock:
    """A fixed instant plus the real time elapsed since the test began; ``advance`` jumps ahead."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.began = time.time()
        self.extra = 0.0

    def __call__(self) -> float:
        return self.start + (time.time() - self.began) + self.extra

    def advance(self, seconds: float) -> float:
        self.extra += seconds
        return self()


def new_page(browser: Any, clock: SharedClock, **context: Any) -> Any:
    ctx = browser.new_context(locale="zh-CN", service_workers="block", **context)
    page = ctx.new_page()
    page.clock.install(time=clock())
    return page


def test_from_nothing_to_a_verified_permit(browser, browser_with_camera, tmp_path: Path, live_server) -> None:  # type: ignore[no-untyped-def]
    clock = SharedClock(T0)
    issuer_app = create_issuer_app(make_config(tmp_path / "issuer"), clock=clock, registry_rng=random.Random(3))
    issuer_url = live_server(issuer_app)

    # ---- the applicant, on a phone-sized screen ------------------------------------
    phone = new_page(browser, clock, viewport={"width": 390, "height": 844})
    phone.goto(issuer_url + "/apply/register")
    phone.fill("#name", "王芳")
    phone.fill("#id_number", make_id(seq=42))
    phone.fill("#phone", PHONE)
    phone.click("button[value=send_code]")
    phone.wait_for_selector(".flash")
    phone.fill("#sms_code", sms_code(issuer_app, PHONE))
    phone.fill("#password", "abc12345")
    phone.click("button[value=register]")
    phone.wait_for_url("**/apply/account")
    phone.check("#kind-residence_permit")
    phone.click("form[action='/apply/applications'] button[type=submit]")
    phone.wait_for_selector("#app-state[data-state=draft]")
    phone.select_option("#district_code", "6")
    phone.fill("#address", "北京市海淀区学院路30号1单元")
    phone.fill("#residence_since", "2025-01-01")
    phone.check("#basis-tax")
    phone.fill("#proof_from", "2026-01")
    phone.fill("#proof_to", "2026-10")
    phone.click("button[value=save]")
    phone.wait_for_selector("#app-state[data-state=draft]")
    phone.select_option("#evidence_kind", "tax")
    phone.set_input_files("#file", files=[{"name": "个税证明.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    phone.click("form[enctype='multipart/form-data'] button[type=submit]")
    phone.wait_for_selector("text=个税证明.pdf")
    phone.click("button[value=preview]")
    phone.wait_for_url("**/preview")
    assert "北京市海淀区学院路30号1单元" in phone.text_content("main")
    phone.click("#submit")
    phone.wait_for_url("**/booking")
    assert "中关村派出所" in phone.text_content("#suggestion")
    phone.click("#station-06-P button[type=submit]")  # the suggested slot is already chosen
    phone.wait_for_url("**/notice")
    assert "2026-11-24 上午" in phone.text_content("#notice")
    app_id = phone.url.split("/")[-2]

    # ---- the officials, in the console: a clerk accepts, a reviewer approves ------------
    clock.advance(86400)  # Tuesday, the day of the visit
    clerk = make_officer(issuer_app, "clerk.wang", "clerk", name="王立")
    reviewer = make_officer(issuer_app, "reviewer.li", "reviewer", name="李审")
    with httpx.Client(base_url=issuer_url, timeout=10) as console:
        sign_in(console, clerk, clock)
        page = console.get(f"/console/applications/{app_id}")
        r = console.post(f"/console/applications/{app_id}/accept", data={
            "csrf": csrf_of(page.text), "card_name": "王芳", "card_id_number": make_id(seq=42),
            "checked": ["id_card", "tax"]})
        assert r.status_code in (200, 303), r.text
        console.cookies.clear()
        sign_in(console, reviewer, clock)
        page = console.get(f"/console/applications/{app_id}")
        r = console.post(f"/console/applications/{app_id}/approve", data={"csrf": csrf_of(page.text), "confirm": "yes"},
                         follow_redirects=False)
        assert r.status_code == 303, r.text

    # ---- back on the phone (a day later: signed out, so sign in) -------------------------
    phone.goto(issuer_url + "/apply/account")
    phone.wait_for_url("**/apply/login")
    phone.fill("#login", PHONE)
    phone.fill("#password", "abc12345")
    phone.click("main button[type=submit]")
    phone.wait_for_url("**/apply/account")
    assert "审核通过" in phone.text_content(".notices")
    permit = phone.locator(".cards li[id^=permit-]")
    assert "居住证" in permit.text_content() and "有效" in permit.text_content()
    permit.locator("button[type=submit]").click()
    phone.wait_for_url("**/holder/", timeout=WAIT_MS)
    phone.wait_for_selector("#qr[data-mode=live] svg", timeout=WAIT_MS)
    screen = Image.open(io.BytesIO(phone.locator("#qr").screenshot()))

    # ---- the scanner at the door: its camera sees the phone's screen --------------------
    keys_file = tmp_path / "api-keys.json"
    official = add_key(keys_file, "officer-door", "official")
    add_key(keys_file, "shop", "business")
    config = VerifierConfig(issuer_url=issuer_url, api_keys_file=keys_file, audit_file=tmp_path / "audit.jsonl",
                            var_dir=tmp_path, rate_per_s=1000.0, rate_burst=1000)
    verifier_url = live_server(create_verifier_app(config, clock=clock, background_sync=False))
    y4m = write_y4m(screen, tmp_path / "phone.y4m", pad=32, fps=10)
    scanner = new_page(browser_with_camera(y4m), clock, viewport={"width": 390, "height": 780})
    scanner.goto(f"{verifier_url}/scan?hold=30")
    scanner.wait_for_selector("body[data-loaded='true']", timeout=WAIT_MS)
    scanner.wait_for_selector("#signin:not([hidden])", timeout=WAIT_MS)
    scanner.fill("#access-key", official)
    scanner.click("#signin-button")
    verdict = next_verdict(scanner, 0)
    assert verdict["reason"] == "VALID", verdict
    assert verdict["claims"]["name"] == "王芳" and verdict["claims"]["district"] == "海淀区"


def test_pages_are_labelled_and_fit_a_phone_at_200_percent(browser, tmp_path: Path, live_server) -> None:  # type: ignore[no-untyped-def]
    clock = SharedClock(T0)
    issuer_url = live_server(create_issuer_app(make_config(tmp_path / "issuer"), clock=clock))
    page = new_page(browser, clock, viewport={"width": 640, "height": 900})
    for path in ("/apply/", "/apply/register", "/apply/login", "/apply/reset", "/apply/help"):
        page.goto(issuer_url + path)
        page.evaluate("document.documentElement.style.zoom = '200%'")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (path, overflow)
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select')]
            .filter(el => !(el.labels && el.labels.length)).map(el => el.name)""")
        assert unlabelled == [], (path, unlabelled)
    # The English switch is a link, usable by keyboard.
    page.goto(issuer_url + "/apply/login")
    page.focus("#lang")
    page.keyboard.press("Enter")
    page.wait_for_selector("html[lang=en]")
    assert page.text_content("h1") == "Sign in"
    # A refusal is announced at the top and written next to its field.
    page.fill("#login", "13700000000")
    page.fill("#password", "wrong1234")
    page.click("main button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.get_attribute("#password", "aria-invalid") == "true"
    assert "wrong" in page.text_content("#password-error")
