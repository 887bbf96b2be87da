"""The business page (/business) against the real verifier service, in headless Chromium:
sign-in with a business key only, a code typed or pasted, the verdict as a business
sees it (permit type, district and validity; nothing about the holder without their
consent; nothing at all for a refused code), Chinese first with English, sign-out."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import qr_png, write_y4m

from .codes import claims
from .page_helpers import WAIT_MS, business_sign_in, open_business, read_business_verdict, type_code

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 780})
    yield ctx
    ctx.close()


def test_business_page_flow(context, verifier, issuer):
    page = open_business(context, verifier.url)
    assert page.get_attribute("body", "data-state") == "signin"
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.text_content("label[for=business-key]") == "企业访问密钥"

    # An official key belongs on the officials' scanner; a wrong key is refused.
    page.fill("#business-key", verifier.official_key)
    page.click("#signin-button")
    page.wait_for_function("() => document.getElementById('signin-error').textContent !== ''", timeout=WAIT_MS)
    assert "执法核验终端" in page.text_content("#signin-error")
    page.fill("#business-key", "vk_not-a-key")
    page.click("#signin-button")
    page.wait_for_function("() => document.getElementById('signin-error').textContent.includes('无效')", timeout=WAIT_MS)

    business_sign_in(page, verifier.business_key)
    assert page.input_value("#business-key") == ""
    assert page.text_content("#who").startswith("shop-")
    assert page.evaluate("() => document.activeElement.id") == "code-input"
    assert [c["httpOnly"] for c in context.cookies()] == [True]
    assert verifier.business_key not in page.content()

    valid = type_code(page, issuer.minted(claims(name="李娜", district=6), period=120))
    assert (valid["reason"], valid["tone"], valid["consent"]) == ("VALID", "valid", "noChoice")
    assert valid["disclosed"] == {}
    assert valid["claims"]["district"] == "海淀区" and valid["claims"]["valid_until"] == "2099-12-31"
    assert set(valid["claims"]) == {"permit_type", "district", "valid_until"}
    assert valid["focused"]
    assert "李娜" not in page.text_content("body") and "123X" not in page.text_content("body")

    refused = type_code(page, "HC1:NOT-A-CODE")
    assert refused["reason"] == "MALFORMED" and refused["tone"] == "refused"
    assert refused["claims"] == {} and refused["consent"] == "refusedNothing"

    # English on a switch, the verdict redrawn in it.
    page.click("#lang-toggle")
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("#verdict-consent") == "The code was refused: nothing about the holder is shown."
    assert page.text_content("label[for=code-input]").startswith("Or type or paste")
    page.click("#lang-toggle")

    # Keyboard only: the next check starts from the field again.
    page.click("#verdict-next")
    assert page.is_hidden("#verdict")
    assert page.evaluate("() => document.activeElement.id") == "code-input"

    page.click("#sign-out")
    page.wait_for_selector("body[data-state='signin']", timeout=WAIT_MS)
    page.reload()
    page.wait_for_selector("body[data-loaded='true'][data-state='signin']", timeout=WAIT_MS)


def test_a_business_session_is_not_the_officials_scanner(context, verifier):
    page = open_business(context, verifier.url)
    business_sign_in(page, verifier.business_key)
    scanner = context.new_page()
    scanner.goto(f"{verifier.url}/scan")
    scanner.wait_for_selector("body[data-loaded='true']", timeout=WAIT_MS)
    assert scanner.get_attribute("body", "data-state") == "signin"


def test_business_page_at_200_percent_zoom(browser, verifier):
    """At 200% zoom (a 640 px window read as 320 CSS px) nothing needs a sideways scroll."""
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 640, "height": 800}, device_scale_factor=1)
    page = ctx.new_page()
    page.goto(f"{verifier.url}/business")
    page.wait_for_selector("body[data-loaded='true']", timeout=WAIT_MS)
    page.evaluate("() => { document.body.style.zoom = '2'; }")
    business_sign_in(page, verifier.business_key)
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    ctx.close()


def test_the_camera_reads_the_code(browser_with_camera, tmp_path, verifier, issuer):
    code = issuer.minted(claims(name="李娜"), period=120)
    camera = browser_with_camera(write_y4m(qr_png(code, error="m"), tmp_path / "qr.y4m", pad=48, fps=10))
    ctx = camera.new_context(locale="zh-CN", viewport={"width": 390, "height": 780})
    page = open_business(ctx, verifier.url)
    business_sign_in(page, verifier.business_key)
    page.click("#camera-toggle")
    page.wait_for_selector("#verdict:not([hidden])", timeout=WAIT_MS)
    verdict = read_business_verdict(page)
    assert (verdict["reason"], verdict["consent"]) == ("VALID", "noChoice")
    assert page.get_attribute("body", "data-camera") == "on"
    assert page.text_content("#camera-toggle") == "关闭摄像头"
    ctx.close()
