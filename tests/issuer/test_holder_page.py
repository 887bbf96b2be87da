"""The holder page in headless Chromium: enrolment, live QR, rotation, offline pass.

The service's clock is a ``Clock`` the test sets; the page's timers and Date are
driven with Playwright's ``page.clock``, so a rotation takes no real waiting. The
QR code is read back from a screenshot with zxing-cpp and checked with
verifier.core against the key set and status list the service publishes.
"""

from __future__ import annotations

import io
import random
from typing import Any, Iterator

import httpx
import pytest
import zxingcpp
from PIL import Image

from issuer.app import create_app
from keys.base45 import b45encode
from keys.keyset import b64u
from keys.totp import code_at
from keys.wire import pass_text
from tests.fixtures.browser import WEBCRYPTO_WITHOUT_DEVICE_KEYS, module_graph, wait_until
from tests.issuer.app_helpers import (
    ADMIN,
    T0,
    Clock,
    checker,
    enrol,
    issue,
    make_config,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path, clock: Clock, issuer_keys, live_server) -> str:  # type: ignore[no-untyped-def]
    app = create_app(make_config(tmp_path), clock=clock, keys=issuer_keys, registry_rng=random.Random(11))
    return str(live_server(app))


@pytest.fixture
def http(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=10) as c:
        yield c


def new_page(browser: Any, server: str, at: float, *, service_workers: str = "block", init_script: str = "") -> Any:
    context = browser.new_context(viewport={"width": 400, "height": 900}, device_scale_factor=2,
                                  service_workers=service_workers, locale="zh-CN")
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.clock.install(time=at)  # seconds in the Python API
    page.goto(server + "/holder/")
    return page


def enrol_in_page(page: Any, http: httpx.Client, cred_id: str) -> None:
    code = http.post(f"/admin/credentials/{cred_id}/enrolment", headers=ADMIN).json()["code"]
    page.fill("#enrol-code", code)
    page.fill("#enrol-label", "测试手机")
    page.click("#enrol-submit")
    page.wait_for_selector("#qr[data-mode=live] svg")


def qr_text(page: Any) -> str:
    """Decode the QR code the page shows, from a screenshot of its element."""
    png = page.locator("#qr").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    return found[0].text


def page_now(page: Any) -> float:
    return float(page.evaluate("Date.now()")) / 1000


def wait_code_change(page: Any, old: str) -> str:
    page.wait_for_function("old => { const q = document.querySelector('#qr'); return q.dataset.code && q.dataset.code !== old; }",
                           arg=old)
    return str(page.get_attribute("#qr", "data-code"))


def test_live_qr_rotates_and_verifies(browser, server: str, http: httpx.Client, clock: Clock) -> None:
    cred = issue(http, name="张三")
    page = new_page(browser, server, clock())
    assert page.is_visible("#enrol") and not page.is_visible("#show")
    enrol_in_page(page, http, cred["cred_id"])

    first = qr_text(page)
    assert first == page.get_attribute("#qr", "data-code")
    verdict = checker(http, clock()).verify(first, clock())
    assert verdict.reason == "VALID" and verdict.claims is not None and verdict.claims.name == "张三"
    assert page.text_content("#holder-name") == "张三"
    assert "*" in page.text_content("#holder-id")
    assert "秒后更新" in page.text_content("#countdown")

    # One period later (the service's clock and the page's timers move together).
    clock.advance(15)
    page.clock.fast_forward(15_000)
    second_attr = wait_code_change(page, first)
    second = qr_text(page)
    assert second == second_attr and second != first
    check = checker(http, clock())
    assert check.verify(second, clock()).reason == "VALID"
    assert page.text_content("#band-text").startswith("张三 · ")
    assert page.is_hidden("#offline-banner")


def test_offline_switches_to_pass(browser, server: str, http: httpx.Client, clock: Clock, issuer_keys) -> None:
    """A browser that cannot make a device key (tests/test_device_bound_flow.py has those that can)."""
    cred = issue(http, name="李四")
    page = new_page(browser, server, clock(), init_script=WEBCRYPTO_WITHOUT_DEVICE_KEYS)
    enrol_in_page(page, http, cred["cred_id"])
    page.wait_for_function("() => !!localStorage.getItem('rp.pass')")

    page.context.set_offline(True)
    clock.advance(15)
    page.clock.fast_forward(15_000)  # the next refresh fails: no network
    page.wait_for_selector("#qr[data-mode=pass] svg")
    assert page.is_visible("#offline-banner")
    assert "离线模式 / Offline mode" in page.text_content("#offline-banner")
    assert "离线" in page.text_content("#status")

    text = qr_text(page)
    now = page_now(page)
    check = checker(http, now, issuer_keys.rotation_secret)
    verdict = check.verify(text, now)
    assert verdict.reason == "VALID" and verdict.mode == "PASS"
    assert verdict.claims is not None and verdict.claims.name == "李四"
    assert check.verify(text, now, with_secret=False).reason == "LIVENESS_UNVERIFIABLE"

    # The offline code changes every period too.
    page.clock.fast_forward(15_000)
    later = wait_code_change(page, text)
    assert checker(http, page_now(page), issuer_keys.rotation_secret).verify(later, page_now(page)).reason == "VALID"

    # Back online: the live code returns.
    page.context.set_offline(False)
    clock.now = page_now(page)
    page.clock.fast_forward(6_000)
    page.wait_for_selector("#qr[data-mode=live] svg")
    assert page.is_hidden("#offline-banner")
    assert checker(http, clock()).verify(qr_text(page), clock()).reason == "VALID"


def test_page_totp_and_base45_match_python(browser, server: str, clock: Clock) -> None:
    """The modules the page imports (/lib/, served from keys/browser) compute what keys/ computes."""
    page = new_page(browser, server, clock())
    page.evaluate("""async () => {
        window.lib = {...await import('/lib/bytes.js'), ...await import('/lib/base45.js'),
                      ...await import('/lib/totp.js'), ...await import('/lib/wire.js')};
    }""")
    rng = random.Random(5)
    for _ in range(8):
        secret = bytes(rng.randrange(256) for _ in range(20))
        for step in (0, 1, 59, int(T0 // 15), 2**31 + 12345, rng.randrange(2**40)):
            js = page.evaluate("([s, c]) => lib.codeAt(lib.b64uDecode(s), c)", [b64u(secret), step])
            assert js == code_at(secret, step), (secret.hex(), step)
    for n in [0, 1, 2, 3, 99, 100, 140]:
        data = bytes(rng.randrange(256) for _ in range(n))
        text = page.evaluate("s => lib.b45encode(lib.b64uDecode(s))", b64u(data))
        assert text == b45encode(data)
        assert page.evaluate("t => lib.b64uEncode(lib.b45decode(t))", text) == b64u(data)
        if n >= 10:
            step, code = rng.randrange(2**32), rng.randrange(1_000_000)
            js = page.evaluate("([p, s, c]) => lib.passText(lib.b64uDecode(p), s, c)", [b64u(data), step, code])
            assert js == pass_text(data, step, code)


def test_page_loads_one_copy_of_the_wire_format(http: httpx.Client) -> None:
    """The holder page's modules import base45 and the layout from /lib/, the scanner's same files."""
    from keys.browser import modules

    graph = module_graph("/holder/static/holder.js", lambda path: http.get(path).raise_for_status().text)
    assert {"/lib/wire.js", "/lib/base45.js", "/lib/totp.js", "/holder/static/offline-pass.js"} <= graph
    for url, path in modules().items():
        served = http.get(url)
        assert served.headers["content-type"] == "text/javascript; charset=utf-8"
        assert served.content == path.read_bytes()
    shell = http.get("/holder/sw.js").text
    assert [m for m in sorted(graph) if f'"{m}"' not in shell] == []
    sources = "\n".join(http.get(m).text for m in graph if m.startswith("/holder/"))
    assert "ALPHABET" not in sources and "HMAC" not in sources


def test_bad_code_and_language_toggle(browser, server: str, clock: Clock) -> None:
    page = new_page(browser, server, clock())
    page.fill("#enrol-code", "AAAA-AAAA")
    page.click("#enrol-submit")
    page.wait_for_function("() => document.querySelector('#enrol-error').textContent.includes('激活码无效')")
    assert page.get_attribute("#enrol-error", "role") == "alert"
    assert page.text_content("h1") == "北京市电子居住证"
    page.click("#lang")
    assert page.text_content("h1") == "Beijing Residence Permit"
    assert page.get_attribute("html", "lang") == "en"
    page.reload()
    assert page.text_content("h1") == "Beijing Residence Permit"
    assert page.text_content("#lang") == "中文"


def test_accessible_labels(browser, server: str, http: httpx.Client, clock: Clock) -> None:
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, issue(http)["cred_id"])
    assert page.get_attribute("#status", "aria-live") == "polite"
    assert page.get_attribute("#qr", "role") == "img"
    assert "二维码" in page.get_attribute("#qr", "aria-label")
    assert page.get_attribute('label[for="enrol-code"]', "for") == "enrol-code"
    assert "亮度" in page.text_content(".hint")


def test_revoked_device_returns_to_enrolment(browser, server: str, http: httpx.Client, clock: Clock) -> None:
    cid = issue(http)["cred_id"]
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, cid)
    device = http.get(f"/admin/credentials/{cid}/devices", headers=ADMIN).json()["devices"][0]
    http.post(f"/admin/devices/{device['device_id']}/revoke", headers=ADMIN)
    clock.advance(15)
    page.clock.fast_forward(15_000)
    page.wait_for_selector("#enrol:not([hidden])")
    assert "重新绑定" in page.text_content("#enrol-error")
    assert page.evaluate("localStorage.getItem('rp.device_token')") is None
    assert page.evaluate("localStorage.getItem('rp.pass')") is None


def test_suspended_credential_shows_no_code(browser, server: str, http: httpx.Client, clock: Clock) -> None:
    cid = issue(http)["cred_id"]
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, cid)
    http.post(f"/admin/credentials/{cid}/suspend", headers=ADMIN)
    clock.advance(15)
    page.clock.fast_forward(15_000)
    page.wait_for_selector("#qr[data-mode=none]")
    assert "已暂停" in page.text_content("#qr-message")
    assert page.locator("#qr svg").count() == 0


def test_page_opens_offline_from_service_worker(browser, server: str, http: httpx.Client, clock: Clock, issuer_keys) -> None:
    page = new_page(browser, server, clock(), service_workers="allow", init_script=WEBCRYPTO_WITHOUT_DEVICE_KEYS)
    enrol_in_page(page, http, issue(http, name="王五")["cred_id"])
    page.wait_for_function("() => !!localStorage.getItem('rp.pass')")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until(page, """async () => {
        if (!(await caches.has('holder-shell-v6'))) return false;
        const c = await caches.open('holder-shell-v6');
        return (await c.keys()).length >= 4;
    }""")
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#qr[data-mode=pass] svg")
    assert page.is_visible("#offline-banner")
    now = page_now(page)
    assert checker(http, now, issuer_keys.rotation_secret).verify(qr_text(page), now).reason == "VALID"
