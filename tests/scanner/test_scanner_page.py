"""The scanner page against the real verifier service, in headless Chromium:
sign-in, the keyboard-wedge input, verdict screens, clock check, language,
installability and offline checking with later upload."""

from __future__ import annotations

import time

import httpx
import pytest
from keys.statuslist import REVOKED
from tests.fixtures.browser import wait_until

from .codes import PERIOD, claims
from .page_helpers import WAIT_MS, assert_tone, open_scanner, read_verdict, sign_in, wait_data_cached, wedge_scan

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 780})
    yield ctx
    ctx.close()


def test_sign_in_is_required_and_the_key_is_not_kept(context, verifier):
    page = open_scanner(context, verifier.url)
    assert page.is_visible("#signin") and not page.is_visible("#wedge")
    assert page.get_attribute("body", "data-state") == "signin"

    page.fill("#access-key", "vk_not-a-key")
    page.click("#signin-button")
    page.wait_for_function("() => document.getElementById('signin-error').textContent !== ''", timeout=WAIT_MS)
    assert page.text_content("#signin-error") == "访问密钥无效"

    sign_in(page, verifier.official_key)
    assert page.input_value("#access-key") == ""
    assert page.text_content("#official").startswith("officer-")
    held = page.evaluate(
        """async () => {
          const parts = [document.documentElement.outerHTML, JSON.stringify(localStorage), JSON.stringify(sessionStorage), document.cookie];
          const db = await new Promise((ok) => { const r = indexedDB.open('permit-scanner'); r.onsuccess = () => ok(r.result); });
          const all = await new Promise((ok) => { const r = db.transaction('kv').objectStore('kv').getAll(); r.onsuccess = () => ok(r.result); });
          parts.push(JSON.stringify(all));
          return parts.join('\\n');
        }"""
    )
    assert verifier.official_key not in held
    cookies = context.cookies()
    assert [c["httpOnly"] for c in cookies] == [True]
    assert verifier.official_key not in cookies[0]["value"]

    # A business key cannot sign a handheld in.
    page.click("#sign-out")
    page.wait_for_selector("body[data-state='signin']", timeout=WAIT_MS)
    page.fill("#access-key", verifier.business_key)
    page.click("#signin-button")
    page.wait_for_function("() => document.getElementById('signin-error').textContent !== ''", timeout=WAIT_MS)
    assert page.get_attribute("body", "data-state") == "signin"
    assert "企业核验密钥" in page.text_content("#signin-error")  # told why, not "invalid key"


def test_wedge_scanner_verdicts(context, start_verifier, issuer):
    issuer.statuses[666] = REVOKED
    verifier = start_verifier()
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    assert page.evaluate("document.activeElement.id") == "wedge"

    c = claims(name="张伟")
    code = issuer.minted(c, at=time.time())
    valid = wedge_scan(page, code)
    assert (valid["reason"], valid["code"], valid["offline"]) == ("VALID", "VALID", False)
    assert valid["zh"] == "有效：居住证件核验通过" and valid["en"] == "Valid: residence credential verified"
    assert valid["title"] == "✓ 有效"
    assert valid["claims"]["name"] == "张伟" and valid["claims"]["id"] == "**************123X"
    assert valid["claims"]["district"] == "海淀区" and valid["claims"]["type"] == "居住证"
    assert valid["latency_ms"] < 300
    assert_tone(page, valid, "valid")
    assert page.evaluate("window.__vibrations") == [[80]]
    assert page.evaluate("window.__tones") == [1320]
    # The wedge keeps the focus while the verdict shows: the next scan needs no tap.
    assert page.evaluate("document.activeElement.id") == "wedge"

    # A code the service has seen before (here through its API) is a replay.
    seen = issuer.minted(c, at=time.time())
    assert httpx.post(f"{verifier.url}/v1/verify", json={"code": seen},
                      headers={"Authorization": f"Bearer {verifier.official_key}"}).json()["reason"] == "VALID"
    replayed = wedge_scan(page, seen)
    assert replayed["reason"] == "REPLAYED" and replayed["zh"] == "二维码已被使用过：请刷新后重新出示"
    assert_tone(page, replayed, "refused")
    assert page.evaluate("window.__tones")[-1] == 220

    stale = wedge_scan(page, issuer.minted(c, step=int(time.time() // PERIOD) - 5))
    assert stale["reason"] == "STALE"
    assert_tone(page, stale, "refused")

    revoked = wedge_scan(page, issuer.minted(claims(name="李娜", ref=666), at=time.time()))
    assert revoked["reason"] == "REVOKED" and revoked["en"] == "Credential revoked"
    assert revoked["claims"]["name"] == "李娜"
    assert_tone(page, revoked, "refused")

    paper = wedge_scan(page, issuer.paper(claims(name="王芳"), issued_at=time.time() - 86400))
    assert paper["reason"] == "VALID" and paper["id_check"] == "请核对身份证件 / Check identity document"
    assert_tone(page, paper, "check_id")

    offline_pass = wedge_scan(page, issuer.pass_code(claims(), not_before=time.time() - 60, at=time.time()))
    assert offline_pass["reason"] == "LIVENESS_UNVERIFIABLE"
    assert_tone(page, offline_pass, "check_id")

    garbage = wedge_scan(page, "HELLO WORLD")
    assert garbage["reason"] == "MALFORMED" and garbage["claims"] == {}
    assert_tone(page, garbage, "refused")

    recent = page.locator("#recent li").all_text_contents()
    assert len(recent) == 7
    assert "王*" in recent[2] and "李*" in recent[3] and "张*" in recent[-1]
    assert not any("王芳" in r or "张伟" in r for r in recent)


def test_offline_checks_and_later_upload(context, verifier, issuer):
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    wait_data_cached(page)

    # Minted with two-minute steps, so it is still acceptable after the sign-in below.
    seen_online = issuer.minted(claims(name="张伟"), at=time.time(), period=120)
    assert wedge_scan(page, seen_online)["reason"] == "VALID"
    assert page.text_content("#pending-uploads") == "0"

    # Another official signs in on this handheld: the codes it accepted stay remembered against replay.
    page.click("#verdict")
    page.click("#sign-out")
    sign_in(page, verifier.official_key)
    context.set_offline(True)
    replayed = wedge_scan(page, seen_online)
    assert (replayed["reason"], replayed["offline"]) == ("REPLAYED", True)
    assert replayed["offline_badge"] == "离线核验 / Offline check"
    assert_tone(page, replayed, "refused")

    fresh = wedge_scan(page, issuer.minted(claims(name="赵敏"), at=time.time()))
    assert (fresh["reason"], fresh["offline"]) == ("VALID", True)
    assert fresh["offline_badge"] == "离线核验 / Offline check"
    assert fresh["claims"]["name"] == "赵敏" and fresh["claims"]["district"] == "海淀区"
    assert fresh["claims"]["id"] == "**************123X"
    assert_tone(page, fresh, "valid")
    assert page.get_attribute("#network-state", "data-online") == "false"

    offline_pass = wedge_scan(page, issuer.pass_code(claims(), not_before=time.time() - 60, at=time.time()))
    assert (offline_pass["reason"], offline_pass["offline"]) == ("LIVENESS_UNVERIFIABLE", True)
    assert_tone(page, offline_pass, "check_id")
    assert page.text_content("#pending-uploads") == "3"
    assert [r for r in verifier.audit_records() if r["offline"]] == []

    context.set_offline(False)
    page.wait_for_function("() => document.getElementById('pending-uploads').textContent === '0'", timeout=WAIT_MS)
    uploaded = [r for r in verifier.audit_records() if r["offline"]]
    assert [r["reason"] for r in uploaded] == ["REPLAYED", "VALID", "LIVENESS_UNVERIFIABLE"]
    assert [r["mode"] for r in uploaded] == ["MINTED", "MINTED", "PASS"]
    device = page.evaluate("localStorage.getItem('device')")
    for record in uploaded:
        assert record["device"] == device and record["caller"].startswith("officer-")
        assert record["cred_ref"]
        assert "赵敏" not in str(record) and "123X" not in str(record)
    # The same credential gets the same reference online and offline (the replayed one was seen online).
    online = [r for r in verifier.audit_records() if not r["offline"]]
    assert uploaded[0]["cred_ref"] == online[0]["cred_ref"]


def test_offline_reload_opens_from_the_service_worker(context, verifier, issuer):
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    wait_data_cached(page)
    wait_until(page, "async () => !!(await navigator.serviceWorker.ready) && !!navigator.serviceWorker.controller", timeout_ms=WAIT_MS)
    cached = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
          }
          return urls;
        }"""
    )
    for url in ("/scan", "/scan/app.js", "/scan/offline-check.js", "/lib/wire.js", "/scan/messages.json", "/vendor/jsQR.js", "/v1/keyset", "/v1/status-list"):
        assert url in cached

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-loaded='true']", timeout=WAIT_MS)
    assert page.get_attribute("body", "data-state") == "ready"  # signed in before, session not expired
    assert page.text_content("#verdict-zh") == ""
    verdict = wedge_scan(page, issuer.minted(claims(name="张伟"), at=time.time()))
    assert (verdict["reason"], verdict["offline"]) == ("VALID", True)
    assert verdict["zh"] == "有效：居住证件核验通过"  # messages came from the cache too


def test_clock_warning_when_the_handheld_clock_is_off(context, start_verifier):
    verifier = start_verifier(clock_offset_s=120)
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    page.wait_for_selector("#clock-warning:not([hidden])", timeout=WAIT_MS)
    assert 118 <= int(page.get_attribute("#clock-warning", "data-offset-s")) <= 122
    assert "120" in page.text_content("#clock-warning") or "119" in page.text_content("#clock-warning")


def test_no_clock_warning_when_clocks_agree(context, verifier):
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    page.wait_for_selector("#clock-warning[data-offset-s]", state="attached", timeout=WAIT_MS)
    assert abs(int(page.get_attribute("#clock-warning", "data-offset-s"))) <= 2
    assert not page.is_visible("#clock-warning")


def test_stale_server_status_is_amber(context, verifier, issuer):
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    verifier.clock_offset[0] = 400  # the server's status data is now older than it accepts
    verdict = wedge_scan(page, issuer.minted(claims(), at=time.time() + 400))
    assert verdict["reason"] == "STATUS_STALE" and verdict["offline"] is False
    assert verdict["zh"] == "证件状态数据过旧，暂不能核验"
    assert_tone(page, verdict, "unverified")
    assert verdict["refresh"] == "更新密钥集和状态列表"


def test_english_toggle_and_verdict_clears_by_itself(context, verifier, issuer):
    page = open_scanner(context, verifier.url, hold_s=1)
    assert page.text_content("h1") == "居住证核验"
    page.click("#lang-toggle")
    assert page.text_content("h1") == "Permit check"
    assert page.evaluate("document.documentElement.lang") == "en"
    sign_in(page, verifier.official_key)
    assert page.text_content("label[for='wedge']") == "Scanner input"

    verdict = wedge_scan(page, issuer.minted(claims(), at=time.time()))
    assert verdict["title"] == "✓ Valid" and verdict["claims"]["district"] == "Haidian"
    assert verdict["claims"]["type"] == "Residence permit"
    # Both languages of the reason are on the verdict whatever the page language.
    assert verdict["zh"] == "有效：居住证件核验通过" and verdict["en"] == "Valid: residence credential verified"
    page.wait_for_selector("#verdict", state="hidden", timeout=WAIT_MS)
    assert page.evaluate("document.activeElement.id") == "wedge"

    page.reload()
    page.wait_for_selector("body[data-loaded='true']", timeout=WAIT_MS)
    assert page.text_content("h1") == "Permit check"
    assert "Valid" in page.text_content("#recent li")


def test_remembered_session_ends_on_time_offline(context, start_verifier, issuer):
    verifier = start_verifier(session_ttl_s=60)
    page = open_scanner(context, verifier.url)
    sign_in(page, verifier.official_key)
    wait_data_cached(page)
    context.set_offline(True)
    assert wedge_scan(page, issuer.minted(claims(), at=time.time()))["offline"] is True

    page.clock.set_fixed_time(time.time() + 120)
    page.keyboard.type(issuer.minted(claims(), at=time.time()))
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-state='signin']", timeout=WAIT_MS)
    assert page.text_content("#signin-error") == "登录已过期，请重新登录"
    assert page.locator("#recent li").count() == 1


def test_an_officer_signs_in_with_the_account_and_the_name_shows(context, verifier):
    page = open_scanner(context, verifier.url)
    page.wait_for_selector("#signin:not([hidden])", timeout=WAIT_MS)
    page.fill("#officer-name", "wang.li")
    page.fill("#officer-password", "wrong")
    page.fill("#officer-otp", "123456")
    page.click("#signin-button")
    page.wait_for_function("() => document.getElementById('signin-error').textContent !== ''", timeout=WAIT_MS)
    assert "动态口令" in page.text_content("#signin-error")
    assert page.input_value("#officer-password") == ""
    page.fill("#officer-password", "right-password")
    page.fill("#officer-otp", "123456")
    page.click("#signin-button")
    page.wait_for_selector("body[data-state='ready']", timeout=WAIT_MS)
    assert page.text_content("#official") == "阿卜杜热合曼·买买提艾力"
