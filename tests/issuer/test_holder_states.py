"""The holder page tells the truth about the permit, in headless Chromium.

Each state (active, suspended, revoked, expired, replaced by a change) with its
reason and next step; no QR and no LIVE band while no code is valid; changes
picked up without a reload (the page polls its credential); the holder's own
details and the endorsement reminder; the QR whole at 200% zoom; the manifest.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import httpx
import pytest

from keys.timekeeping import BEIJING
from tests.issuer.app_helpers import ADMIN, Clock, checker, issue
from tests.issuer.test_holder_page import enrol_in_page, http, new_page, qr_text, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

POLL_MS = 10_000


def later(page: Any, clock: Clock, seconds: int) -> None:
    """Move the service's clock and the page's timers together."""
    clock.advance(seconds)
    page.clock.fast_forward(seconds * 1000)


def assert_no_code(page: Any) -> None:
    assert page.locator("#qr svg").count() == 0
    assert page.get_attribute("#qr", "data-mode") == "none"
    assert page.is_hidden(".band") and page.is_hidden(".live-dot")
    assert page.text_content("#band-text") == ""


def test_suspension_shows_reason_and_reinstatement_returns_the_code(browser, server: str, http: httpx.Client,
                                                                    clock: Clock) -> None:
    cid = issue(http, name="赵六")["cred_id"]
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, cid)
    assert page.is_hidden("#state-box") and page.is_visible(".band")

    assert http.post(f"/admin/credentials/{cid}/suspend", json={"reason": "居住地址待核查"},
                     headers=ADMIN).status_code == 200
    later(page, clock, POLL_MS // 1000)
    page.wait_for_selector("#state-box:not([hidden])")
    page.wait_for_selector("#qr[data-mode=none]")
    assert "已暂停" in page.text_content("#state-title")
    assert page.text_content("#state-reason") == "居住地址待核查"
    assert "派出所" in page.text_content("#state-next")
    assert page.get_attribute("#state-box", "role") == "alert"
    assert_no_code(page)
    assert page.is_visible("#show") and page.is_hidden("#enrol")

    page.click("#lang")
    assert "suspended" in page.text_content("#state-next")

    assert http.post(f"/admin/credentials/{cid}/reinstate", headers=ADMIN).status_code == 200
    later(page, clock, POLL_MS // 1000)
    page.wait_for_selector("#qr[data-mode=live] svg")
    assert page.is_hidden("#state-box") and page.is_visible(".band")
    assert "LIVE" in page.text_content("#band-text")
    assert checker(http, clock()).verify(qr_text(page), clock()).reason == "VALID"


def test_revoked_permit_says_so_instead_of_asking_to_enrol(browser, server: str, http: httpx.Client,
                                                          clock: Clock) -> None:
    cid = issue(http)["cred_id"]
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, cid)
    assert http.post(f"/admin/credentials/{cid}/revoke", json={"reason": "虚假材料"}, headers=ADMIN).status_code == 200
    later(page, clock, 15)
    page.wait_for_selector("#state-box[data-state=revoked]:not([hidden])")
    assert page.text_content("#state-reason") == "虚假材料"
    assert "重新申领" in page.text_content("#state-next")
    assert page.is_hidden("#enrol") and page.is_visible("#show")
    assert_no_code(page)
    assert page.evaluate("localStorage.getItem('rp.pass')") is None
    # Still the truth after a reload; the token buys no code.
    page.reload()
    page.wait_for_selector("#state-box[data-state=revoked]:not([hidden])")
    assert_no_code(page)


def test_expired_permit_shows_no_code(browser, server: str, http: httpx.Client, clock: Clock) -> None:
    cred = issue(http)
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, cred["cred_id"])
    end = date.fromisoformat(cred["valid_until"])
    clock.now = datetime.combine(end, time(12), BEIJING).timestamp() + 86_400
    page.clock.fast_forward(POLL_MS)
    page.wait_for_selector("#state-box[data-state=expired]:not([hidden])")
    assert "重新申领" in page.text_content("#state-next")
    assert_no_code(page)


def test_change_replaces_the_code_and_details_without_reload(browser, server: str, http: httpx.Client,
                                                             clock: Clock) -> None:
    cid = issue(http)["cred_id"]
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, cid)
    old = qr_text(page)
    r = http.post(f"/admin/credentials/{cid}/change", json={"address": "北京市海淀区中关村大街1号"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert checker(http, clock()).verify(old, clock()).reason == "SUPERSEDED"
    later(page, clock, POLL_MS // 1000)
    page.wait_for_selector("#replaced:not([hidden])")
    page.wait_for_function("() => document.querySelector('#holder-address').textContent.includes('海淀区')")
    page.wait_for_function("old => document.querySelector('#qr').dataset.code !== old", arg=old)
    assert checker(http, clock()).verify(qr_text(page), clock()).reason == "VALID"


def test_own_details_endorsement_reminder_and_refresh(browser, server: str, http: httpx.Client, clock: Clock) -> None:
    cred = issue(http)
    end = date.fromisoformat(cred["valid_until"])
    clock.now = datetime.combine(end, time(9), BEIJING).timestamp() - 20 * 86_400
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, cred["cred_id"])
    page.wait_for_function("() => document.querySelector('#holder-address').textContent !== ''")
    assert page.text_content("#holder-address") == "北京市朝阳区建国路88号"
    assert page.text_content("#holder-card") == (cred["card_number"] or "—")
    assert page.text_content("#holder-valid-from") == cred["valid_from"]
    assert end.isoformat() in page.text_content("#holder-endorse")
    page.wait_for_selector("#endorse-remind:not([hidden])")
    assert "20 天" in page.text_content("#endorse-remind")

    before = page.get_attribute("#qr", "data-code")
    clock.advance(15)  # the service moves on; the page's timers do not
    page.click("#refresh")
    page.wait_for_function("old => document.querySelector('#qr').dataset.code !== old", arg=before)
    assert page.text_content("#status") == "已刷新"


def test_no_reminder_far_from_the_window(browser, server: str, http: httpx.Client, clock: Clock) -> None:
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, issue(http, years=3)["cred_id"])
    page.wait_for_function("() => document.querySelector('#holder-endorse').textContent !== ''")
    assert page.is_hidden("#endorse-remind")


def test_qr_whole_at_200_percent_zoom(browser, server: str, http: httpx.Client, clock: Clock) -> None:
    """A 400 px phone at 200% zoom is a 200 CSS px viewport: the QR and its quiet zone stay inside the card."""
    context = browser.new_context(viewport={"width": 200, "height": 600}, device_scale_factor=4,
                                  service_workers="block", locale="zh-CN")
    page = context.new_page()
    page.clock.install(time=clock())
    page.goto(server + "/holder/")
    enrol_in_page(page, http, issue(http)["cred_id"])
    qr, card = page.locator("#qr").bounding_box(), page.locator("#card").bounding_box()
    assert qr["x"] >= card["x"] and qr["x"] + qr["width"] <= card["x"] + card["width"] + 0.5
    assert qr["width"] <= 200
    assert checker(http, clock()).verify(qr_text(page), clock()).reason == "VALID"
    assert page.evaluate("document.documentElement.scrollWidth") <= 200


def test_manifest_icons_and_wake_lock(browser, server: str, http: httpx.Client, clock: Clock) -> None:
    manifest = http.get("/holder/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["start_url"] == "/holder/" and body["display"] == "standalone"
    sizes = set()
    for icon in body["icons"]:
        png = http.get(icon["src"])
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes

    page = new_page(browser, server, clock())
    assert page.get_attribute('link[rel="manifest"]', "href") == "/holder/manifest.webmanifest"
    cid = issue(http)["cred_id"]
    enrol_in_page(page, http, cid)
    held = "async () => (await import('/holder/static/wake-lock.js')).screenKeptOn()"
    page.wait_for_function(held)
    http.post(f"/admin/credentials/{cid}/suspend", headers=ADMIN)
    later(page, clock, POLL_MS // 1000)
    page.wait_for_selector("#qr[data-mode=none]")
    assert page.evaluate(held) is False
