"""Fixes found when the scanner was tried as an official would, each in headless Chromium
against the real verifier service: the clock offset applied offline, a next action on every
verdict, tones that tell "check the ID card" from "could not verify", a refresh offered for
UNKNOWN_KEY and STATUS_STALE, 200% zoom, long names, Tab-terminated scanners, and recent
scans that open a detail view and are forgotten at sign-out. (Scanning the same phone again
is in test_camera.py.)"""

from __future__ import annotations

import time

import pytest

from keys.reasons import reason
from keys.statuslist import REVOKED, SUPERSEDED
from keys.wire import NAME_MAX_BYTES_V2, Mode, fit_name

from .codes import claims
from .page_helpers import (
    FEEDBACK_RECORDER,
    TONE_RGB,
    WAIT_MS,
    assert_tone,
    next_verdict,
    open_scanner,
    scans_shown,
    sign_in,
    wait_data_cached,
    wedge_scan,
)

pytestmark = pytest.mark.browser

LONG_NAME = "阿卜杜热合曼·买买提艾力"


@pytest.fixture
def context(browser):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 780})
    yield ctx
    ctx.close()


def test_offline_checks_apply_the_measured_clock_offset(context, start_verifier, issuer):
    """A handheld 90 s fast: offline, a fresh code is VALID (not STALE), and the warning says "fast"."""
    verifier = start_verifier(clock_offset_s=-90)
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    wait_data_cached(page)
    page.wait_for_selector("#clock-warning:not([hidden])", timeout=WAIT_MS)
    assert -92 <= int(page.get_attribute("#clock-warning", "data-offset-s")) <= -88
    warning = page.text_content("#clock-warning")
    assert "快了" in warning and "慢" not in warning
    page.click("#lang-toggle")
    assert "s fast" in page.text_content("#clock-warning")
    page.click("#lang-toggle")

    context.set_offline(True)
    server_now = time.time() - 90
    fresh = wedge_scan(page, issuer.minted(claims(name="张伟"), at=server_now))
    assert (fresh["reason"], fresh["offline"]) == ("VALID", True)
    # By the handheld's own clock the code is six time steps old: only the offset makes it fresh.
    old = wedge_scan(page, issuer.minted(claims(), at=server_now - 90))
    assert old["reason"] == "STALE"


def test_slow_clock_warning_says_slow(context, start_verifier):
    verifier = start_verifier(clock_offset_s=120)
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    page.wait_for_selector("#clock-warning:not([hidden])", timeout=WAIT_MS)
    assert "慢了" in page.text_content("#clock-warning")


def test_every_verdict_gives_the_next_action_from_the_server(context, verifier, issuer):
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    cases = [
        ("STALE", issuer.minted(claims(), at=time.time() - 120)),
        ("MALFORMED", "HELLO"),
        ("VALID", issuer.minted(claims(), at=time.time())),
        ("LIVENESS_UNVERIFIABLE", issuer.pass_code(claims(), not_before=time.time() - 60, at=time.time())),
    ]
    for expected, text in cases:
        verdict = wedge_scan(page, text)
        assert verdict["reason"] == expected
        row = reason(expected)
        assert (verdict["action_zh"], verdict["action_en"]) == (row.action.zh, row.action.en)
        assert verdict["action_zh"] and verdict["action_en"]


def test_replaced_after_a_change_is_told_apart_from_revoked(context, start_verifier, issuer):
    """SUPERSEDED asks for the current permit; REVOKED does not. Online and offline alike."""
    issuer.statuses.update({777: SUPERSEDED, 666: REVOKED})
    verifier = start_verifier()
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    wait_data_cached(page)
    for offline in (False, True):
        context.set_offline(offline)
        replaced = wedge_scan(page, issuer.minted(claims(name="李娜", ref=777), at=time.time()))
        revoked = wedge_scan(page, issuer.minted(claims(name="李娜", ref=666), at=time.time()))
        assert (replaced["reason"], replaced["offline"]) == ("SUPERSEDED", offline)
        assert (revoked["reason"], revoked["offline"]) == ("REVOKED", offline)
        assert replaced["action_zh"] == reason("SUPERSEDED").action.zh and "当前证件" in replaced["action_zh"]
        assert replaced["action_en"].startswith("Ask for the current permit")
        assert revoked["action_zh"] == reason("REVOKED").action.zh and revoked["zh"] == "证件已注销"
        assert replaced["claims"]["name"] == "李娜"
        assert_tone(page, replaced, "refused")


def test_check_the_id_card_looks_unlike_could_not_verify(context, verifier, issuer):
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    paper = wedge_scan(page, issuer.paper(claims(name="王芳"), issued_at=time.time() - 86400))
    assert paper["reason"] == "VALID" and paper["title"] == "! 请核对身份证件"
    assert paper["id_check"] == "请核对身份证件 / Check identity document"
    assert_tone(page, paper, "check_id")

    verifier.clock_offset[0] = 400  # the server's status data is now older than it accepts
    unverified = wedge_scan(page, issuer.minted(claims(), at=time.time() + 400))
    assert unverified["reason"] == "STATUS_STALE" and unverified["title"] == "? 无法核验"
    assert unverified["id_check"] is None
    assert_tone(page, unverified, "unverified")
    assert TONE_RGB["check_id"] != TONE_RGB["unverified"]
    assert page.evaluate("window.__tones").count(880) == 2  # check-ID: two middle beeps
    assert page.evaluate("window.__tones")[-3:] == [440, 440, 440]  # could not verify: three low ones


def test_unknown_key_offers_a_refresh_of_key_set_and_status_list(browser, verifier, issuer):
    """Offline without the key set: UNKNOWN_KEY with a refresh; once refreshed, the code checks offline."""
    # No service worker, so the key set can be kept from the page (routing does not reach a worker).
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 780}, service_workers="block")
    page = context.new_page()
    page.route("**/v1/keyset", lambda route: route.abort())
    page.add_init_script(FEEDBACK_RECORDER)
    page.goto(f"{verifier.url}/scan?hold=60")
    page.wait_for_selector("body[data-loaded='true']", timeout=WAIT_MS)
    with page.expect_response("**/v1/time", timeout=WAIT_MS):  # the refresh after sign-in has run
        sign_in(page, verifier.official_key)
    assert page.text_content("#keyset-age") == "无"

    context.set_offline(True)
    unknown = wedge_scan(page, issuer.minted(claims(), at=time.time()))
    assert (unknown["reason"], unknown["offline"]) == ("UNKNOWN_KEY", True)
    assert unknown["refresh"] == "更新密钥集和状态列表"
    page.click("#verdict-refresh")
    page.wait_for_function("() => document.getElementById('verdict-refresh-state').textContent.includes('无法更新')",
                           timeout=WAIT_MS)
    assert not page.is_hidden("#verdict")  # the button does not dismiss the verdict

    context.set_offline(False)
    page.unroute("**/v1/keyset")
    page.click("#verdict-refresh")
    page.wait_for_function("() => document.getElementById('verdict-refresh-state').textContent === '已更新，请重新扫码'",
                           timeout=WAIT_MS)
    assert page.text_content("#keyset-age") == "刚刚" and page.text_content("#status-age") != "无"
    page.click("#verdict")
    context.set_offline(True)
    now_valid = wedge_scan(page, issuer.minted(claims(), at=time.time()))
    assert (now_valid["reason"], now_valid["offline"]) == ("VALID", True)
    assert now_valid["refresh"] is None
    context.close()


def test_verdict_scrolls_at_200_percent_zoom_and_shows_long_names(browser, verifier, issuer):
    """At 200% zoom a 390 px wide phone has a 195 px wide page: the verdict scrolls, nothing is cut off."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 195, "height": 390}, device_scale_factor=2)
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    verdict = wedge_scan(page, issuer.paper(claims(name=LONG_NAME), issued_at=time.time() - 86400))
    assert verdict["reason"] == "VALID"
    shown = fit_name(LONG_NAME, NAME_MAX_BYTES_V2[Mode.PAPER])  # the issuer prints v2 slips
    assert verdict["claims"]["name"] == shown and len(shown) >= 9
    layout = page.evaluate(
        """() => {
          const box = document.getElementById('verdict');
          const rect = (el) => el.getBoundingClientRect();
          const name = box.querySelector("dd[data-field='name']");
          const out = {scrollable: box.scrollHeight > box.clientHeight, overflowY: getComputedStyle(box).overflowY,
                       titleTop: rect(document.getElementById('verdict-title')).top,
                       nameFits: name.scrollWidth <= name.clientWidth && rect(name).right <= window.innerWidth,
                       pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth};
          box.scrollTop = box.scrollHeight;
          const hint = rect(box.querySelector('.hint:last-child'));
          out.hintVisible = hint.bottom <= window.innerHeight && hint.top >= 0;
          return out;
        }"""
    )
    assert layout["scrollable"] and layout["overflowY"] == "auto"
    assert layout["titleTop"] >= 0  # the top is not cut off
    assert layout["nameFits"] and layout["hintVisible"]
    page.click("#verdict", position={"x": 5, "y": 5})
    page.wait_for_selector("#verdict", state="hidden", timeout=WAIT_MS)
    # In the recent list a long masked name ends with an ellipsis instead of widening the page.
    entry = page.evaluate(
        """() => {
          const spans = document.querySelectorAll('#recent li button > span');
          const who = spans[spans.length - 1];
          return {ellipsis: getComputedStyle(who).textOverflow, right: who.getBoundingClientRect().right,
                  viewport: window.innerWidth, text: who.textContent};
        }"""
    )
    assert entry["text"].startswith("阿*") and entry["ellipsis"] == "ellipsis"
    assert entry["right"] <= entry["viewport"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_a_scanner_that_ends_codes_with_tab(context, verifier, issuer):
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    page.keyboard.type(issuer.minted(claims(name="张伟"), at=time.time()), delay=0)
    page.keyboard.press("Tab")
    verdict = next_verdict(page, 0)
    assert verdict["reason"] == "VALID" and verdict["claims"]["name"] == "张伟"
    assert page.evaluate("document.activeElement.id") == "wedge" and page.input_value("#wedge") == ""
    page.click("#verdict")
    # With nothing typed, Tab moves on as on any page (keyboard users reach the other controls).
    page.focus("#wedge")
    page.keyboard.press("Shift+Tab")
    # After the page's own focus keeper has run (a zero-delay timer), the focus is still elsewhere.
    moved = page.evaluate("() => new Promise((ok) => setTimeout(() => ok(document.activeElement.id), 0))")
    assert moved == "camera-toggle"


def test_recent_scans_open_a_detail_view_and_are_cleared_at_sign_out(context, verifier, issuer):
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    wedge_scan(page, issuer.minted(claims(name="张伟"), at=time.time()))
    page.click("#verdict")
    wedge_scan(page, "HELLO")
    page.click("#verdict")
    assert scans_shown(page) == 2

    page.click("#recent li:last-child button")
    page.wait_for_selector("#scan-detail[open]", timeout=WAIT_MS)
    detail = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#scan-detail dd')].map((dd) => [dd.dataset.field, dd.textContent]))"""
    )
    assert detail["code"] == "VALID" and detail["name"] == "张*"
    assert detail["action"] == reason("VALID").action.zh and detail["result"] == reason("VALID").message.zh
    assert "张伟" not in page.text_content("#scan-detail")
    page.click("#scan-detail-close")
    page.wait_for_selector("#scan-detail:not([open])", state="attached", timeout=WAIT_MS)
    # the dialog's close event (which hands the focus back) is queued after [open] goes
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'wedge'", timeout=WAIT_MS)

    page.click("#sign-out")
    page.wait_for_selector("body[data-state='signin']", timeout=WAIT_MS)
    assert scans_shown(page) == 0
    kept = page.evaluate(
        """async () => {
          const db = await new Promise((ok) => { const r = indexedDB.open('permit-scanner'); r.onsuccess = () => ok(r.result); });
          return await new Promise((ok) => { const r = db.transaction('kv').objectStore('kv').get('recent'); r.onsuccess = () => ok(r.result ?? null); });
        }"""
    )
    assert kept is None
    sign_in(page, verifier.official_key)
    page.reload()
    page.wait_for_selector("body[data-loaded='true']", timeout=WAIT_MS)
    assert scans_shown(page) == 0
