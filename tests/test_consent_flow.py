"""Disclosure by the holder's consent, end to end in headless Chromium.

A real issuer (holder page, live codes) and a real verifier (business page). The
holder opens "show to a business", picks what to show and gets a live code that
carries the choice, labelled with what it reveals; the landlord's business page
shows the name and the last four ID characters only when the holder chose them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest

from tests.fixtures.live_pair import enrolled_holder_page, start_issuer, start_verifier
from tests.issuer.idgen import make_id
from tests.scanner.page_helpers import WAIT_MS, business_sign_in, open_business, type_code

pytestmark = pytest.mark.browser


@pytest.fixture
def issuer_url(live_server: Callable[[Any], str], tmp_path: Path) -> str:
    return start_issuer(live_server, tmp_path, seed=15)


@pytest.fixture
def admin(issuer_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=issuer_url, timeout=10) as client:
        yield client


@pytest.fixture
def verifier(live_server: Callable[[Any], str], tmp_path: Path, issuer_url: str) -> dict[str, str]:
    return start_verifier(live_server, tmp_path, issuer_url, key_name="landlord-7", role="business")


def show_to_business(page: Any, fields: list[str], *, preset: str | None = None) -> str:
    """Open the dialog, choose ``fields`` (or press a preset), make the code; the code's text."""
    page.click("#consent-open")
    page.wait_for_selector("#consent[open] #consent-choose:not([hidden])", timeout=WAIT_MS)
    if preset:
        page.click(f"#consent-{preset}")
    else:
        for field in ("name", "id_tail"):
            page.set_checked(f"#consent-{field}", field in fields)
    page.click("#consent-submit")
    page.wait_for_selector(f"#consent-qr[data-disclose='{','.join(fields)}'] svg", timeout=WAIT_MS)
    return str(page.get_attribute("#consent-qr", "data-code"))


def test_show_to_a_business_dialog(browser: Any, issuer_url: str, admin: httpx.Client) -> None:
    holder = enrolled_holder_page(browser, issuer_url, admin, "王芳")
    asked: list[str] = []
    holder.on("request", lambda request: asked.append(request.url) if "/v1/holder/live" in request.url else None)
    assert holder.text_content("#consent-open") == "向企业出示（房东、雇主、商户）"

    code = show_to_business(holder, ["name", "id_tail"], preset="landlord")
    assert holder.text_content("#consent-label") == "此码向企业显示：姓名、证件号码后四位、证件类型、所属区和有效期"
    assert "显示：姓名、证件号码后四位" in holder.get_attribute("#consent-qr", "aria-label")
    assert any(url.endswith("/v1/holder/live?disclose=name,id_tail") for url in asked)
    assert code != holder.get_attribute("#qr", "data-code")
    assert holder.evaluate("() => document.activeElement.id") == "consent-back"
    assert "秒后更新" in holder.text_content("#consent-countdown")

    # Back to the normal code: the dialog goes, its code stops, focus returns to the button.
    holder.click("#consent-back")
    holder.wait_for_function("() => !document.getElementById('consent').open", timeout=WAIT_MS)
    # the dialog's close event, which stops its code and hands the focus back, is queued after it closes
    holder.wait_for_function("() => document.activeElement && document.activeElement.id === 'consent-open'",
                             timeout=WAIT_MS)
    assert holder.get_attribute("#consent-qr", "data-code") is None
    assert holder.is_visible("#qr svg")

    # Validity only, in English, by keyboard; Escape closes it.
    holder.click("#lang")
    show_to_business(holder, [], preset="shop")
    assert holder.text_content("#consent-label") == "This code shows a business: permit type, district and validity"
    assert any(url.endswith("/v1/holder/live?disclose=") for url in asked)
    holder.keyboard.press("Escape")
    holder.wait_for_function("() => !document.getElementById('consent').open", timeout=WAIT_MS)

    # Offline the issuer cannot sign a choice: the dialog says so and shows no code.
    holder.context.set_offline(True)
    holder.click("#consent-open")
    holder.click("#consent-submit")
    holder.wait_for_selector("#consent-message:not([hidden])", timeout=WAIT_MS)
    assert holder.text_content("#consent-message") == "A code for a business needs the network: connect and try again"
    assert holder.get_attribute("#consent-qr", "data-code") is None
    holder.context.close()


def test_the_dialog_at_200_percent_zoom(browser: Any, issuer_url: str, admin: httpx.Client) -> None:
    """A 400 px phone at 200% zoom is 200 CSS px wide: the dialog and its QR fit without a sideways scroll."""
    holder = enrolled_holder_page(browser, issuer_url, admin, "赵敏", seq=3, viewport={"width": 200, "height": 450})
    show_to_business(holder, ["name"])
    box = holder.locator("#consent-qr").bounding_box()
    dialog = holder.locator("#consent").bounding_box()
    assert box and dialog and box["x"] >= dialog["x"] and box["x"] + box["width"] <= dialog["x"] + dialog["width"] + 0.5
    assert holder.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    holder.context.close()


def test_a_landlord_sees_the_name_only_when_the_holder_chose_it(browser: Any, issuer_url: str, admin: httpx.Client,
                                                                 verifier: dict[str, str]) -> None:
    holder = enrolled_holder_page(browser, issuer_url, admin, "王芳", seq=5)
    landlord = open_business(browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800}), verifier["url"])
    business_sign_in(landlord, verifier["key"])
    id_tail = make_id(seq=5)[-4:]

    # The normal code: no choice, so the landlord sees type, district and validity only.
    plain = type_code(landlord, str(holder.get_attribute("#qr", "data-code")))
    assert (plain["reason"], plain["consent"], plain["disclosed"]) == ("VALID", "noChoice", {})
    assert set(plain["claims"]) == {"permit_type", "district", "valid_until"}
    assert "王芳" not in landlord.text_content("body") and id_tail not in landlord.text_content("body")

    # The holder chooses the name and the last four ID characters for the landlord.
    chosen = type_code(landlord, show_to_business(holder, ["name", "id_tail"], preset="landlord"))
    assert (chosen["reason"], chosen["consent"]) == ("VALID", "chosen")
    assert chosen["disclosed"] == {"name": "王芳", "id_tail": id_tail}
    assert landlord.text_content("#verdict-disclosed dt") == "姓名"
    holder.click("#consent-back")

    # The name alone; then validity only, as for a shop: nothing about the person.
    named = type_code(landlord, show_to_business(holder, ["name"]))
    assert named["disclosed"] == {"name": "王芳"}
    holder.click("#consent-back")
    shop = type_code(landlord, show_to_business(holder, [], preset="shop"))
    assert (shop["reason"], shop["consent"], shop["disclosed"]) == ("VALID", "validityOnly", {})
    assert "王芳" not in landlord.text_content("body")
    holder.context.close()
    landlord.context.close()
