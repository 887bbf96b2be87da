"""The console in headless Chromium: a station's day, by keyboard and mouse, in both languages."""

from __future__ import annotations

import io
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from tests.issuer.app_helpers import ADMIN, checker, issue
from tests.issuer.console.conftest import Officers, booked_application, otp_for
from tests.issuer.idgen import make_id

pytestmark = pytest.mark.browser
WAIT_MS = 15000


@pytest.fixture
def server(app: Any, live_server: Any) -> str:
    return str(live_server(app))


def signed_in(browser: Any, server: str, secrets: Any, clock: Any) -> Any:
    """A new browser context with ``secrets``' officer signed in by keyboard."""
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(server + "/console/")
    page.wait_for_selector("#username")
    clock.advance(30)
    page.keyboard.type(secrets.officer.username)  # the name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(secrets.password)
    page.keyboard.press("Tab")
    page.keyboard.type(otp_for(secrets, clock()))
    page.keyboard.press("Enter")
    page.wait_for_selector("#officer-name")
    return page


def slip_code(slip_page: Any) -> str:
    png = slip_page.locator("svg.qr").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return str(found[0].text)


def test_accept_at_the_counter_approve_and_print_the_slip(browser: Any, server: str, app: Any, clock: Any,
                                                          officers: Officers, client: Any) -> None:
    app_id = booked_application(app, seq=91, name="陈静")
    clerk = signed_in(browser, server, officers["clerk"], clock)
    assert app_id in clerk.text_content("#appointments")
    clerk.click(f"text={app_id}")
    clerk.fill("#card_name", "陈静")
    clerk.fill("#card_id_number", make_id(seq=91))
    clerk.check("input[name=checked][value=id_card]")
    clerk.check("input[name=checked][value=lease]")
    clerk.click("#accept-form button[type=submit]")
    clerk.wait_for_selector("#app-state[data-state=accepted]")
    assert "王立" in clerk.text_content("#officer-name")

    reviewer = signed_in(browser, server, officers["reviewer"], clock)
    reviewer.goto(server + "/console/review")
    reviewer.click(f"#queue >> text={app_id}")
    reviewer.check("#approve-form input[name=confirm]")
    reviewer.click("#approve-form button[type=submit]")
    reviewer.wait_for_selector("#status[data-status=active]")
    cred_url = reviewer.url

    clerk.goto(cred_url)
    codes = []
    for _ in range(2):
        clerk.check("form[aria-label='打印确认单'] input[name=confirm]")
        with clerk.expect_popup() as popup:
            clerk.click("form[aria-label='打印确认单'] button[type=submit]")
        slip = popup.value
        slip.wait_for_selector("svg.qr")
        assert "中关村派出所" in slip.content() and "北京市海淀区学院路30号1单元" in slip.content()
        codes.append(slip_code(slip))
        clock.advance(60)
        clerk.reload()
    check = checker(client, clock())
    assert check.verify(codes[0], clock()).reason == "SUPERSEDED"  # the reprint voided the first slip
    assert check.verify(codes[1], clock()).reason == "VALID"


def test_proxy_application_for_a_child(browser: Any, server: str, clock: Any, officers: Officers) -> None:
    from datetime import date

    clerk = signed_in(browser, server, officers["clerk"], clock)
    clerk.click("nav >> text=窗口代办申请")
    clerk.select_option("#kind", "registration_card")
    clerk.fill("#holder_name", "小红")
    clerk.fill("#id_number", make_id(seq=92, born=date(2016, 8, 8)))
    clerk.fill("#address", "北京市海淀区学院路30号3单元")
    clerk.fill("#residence_since", "2026-01-01")
    clerk.select_option("#proxy_basis", "child_under_16")
    clerk.fill("#proxy_name", "刘强")
    clerk.fill("#proxy_id_number", make_id(seq=93))
    clerk.select_option("#proxy_relationship", "parent")
    clerk.fill("#proxy_proof", "出生医学证明 O110012345")
    clerk.check("input[name=checked][value=id_card]")
    clerk.check("input[name=checked][value=relationship]")
    clerk.click("#counter-form button[type=submit]")
    clerk.wait_for_selector("#app-state[data-state=accepted]")
    assert "刘强" in clerk.text_content("#proxy") and "父母" in clerk.text_content("#proxy")
    app_url = clerk.url.split("?")[0]

    reviewer = signed_in(browser, server, officers["reviewer"], clock)
    reviewer.goto(app_url)
    reviewer.check("#approve-form input[name=confirm]")
    reviewer.click("#approve-form button[type=submit]")
    reviewer.wait_for_selector("#status[data-status=active]")
    assert "刘强" in reviewer.text_content("#applied-by")


def test_home_visit_opens_a_case_that_suspends_the_permit(browser: Any, server: str, clock: Any,
                                                          officers: Officers, client: Any) -> None:
    cred = issue(client, seq=94, name="孙丽", district="海淀区")
    field = signed_in(browser, server, officers["field"], clock)
    assert field.url.endswith("/console/visits")
    field.check("input[name=outcome][value=not_living]")
    field.fill("input[name=note]", "房东称已于上月搬离")
    field.click("form[id^=task-] button[type=submit]")
    field.wait_for_selector("p.notice")
    assert "立案" in field.text_content("p.notice")

    reviewer = signed_in(browser, server, officers["reviewer"], clock)
    reviewer.goto(server + "/console/cases")
    assert "房东称已于上月搬离" in reviewer.content()
    reviewer.check("input[name=decision][value=suspended]")
    reviewer.fill("input[name=reason]", "入户核实不在此居住")
    reviewer.check("form[id^=case-] input[name=confirm]")
    reviewer.click("form[id^=case-] button[type=submit]")
    reviewer.wait_for_selector("#status[data-status=suspended]")
    assert client.get(f"/admin/credentials/{cred['cred_id']}", headers=ADMIN).json()["status"]["code"] == "suspended"

    # the English switch keeps the officer on the same page
    reviewer.click("a.lang")
    reviewer.wait_for_selector("html[lang=en]")
    assert reviewer.text_content("h2 >> nth=0") == "Actions" and "Sign out" in reviewer.text_content("header")
