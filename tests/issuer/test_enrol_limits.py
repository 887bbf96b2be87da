"""Enrolment limits per phone and per enrolment code, never per shared address; the wait they answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from issuer.enrol_limits import PER_CODE, PER_PHONE, WINDOW_S
from tests.issuer.app_helpers import ADMIN, Clock, TestClient, issue
from tests.issuer.test_holder_page import http, new_page, server  # noqa: F401 (fixtures)


def attempt(client: Any, code: str, install: str | None) -> httpx.Response:
    body: dict[str, str] = {"code": code, "label": "x"}
    if install is not None:
        body["install_id"] = install
    return client.post("/v1/holder/enrol", json=body)


def phone(n: int) -> str:
    return f"{n:032x}"


def wrong(n: int) -> str:
    return f"AAAA-{n:04d}"


def test_a_code_tried_by_many_phones_waits_and_the_wait_ends(client: TestClient, clock: Clock) -> None:
    for n in range(PER_CODE):
        assert attempt(client, "BBBB-CCCC", phone(n)).status_code == 400
    blocked = attempt(client, "bbbb cccc", phone(99))  # the same code as enrolment reads it
    assert blocked.status_code == 429 and blocked.json()["error"] == "TOO_MANY_ATTEMPTS"
    assert blocked.headers["Retry-After"] == str(int(WINDOW_S))
    assert blocked.json()["message"]["zh"] == f"尝试次数过多，请在 {int(WINDOW_S)} 秒后重试"
    assert blocked.json()["message"]["en"] == f"Too many attempts: try again in {int(WINDOW_S)} s"
    assert attempt(client, "DDDD-EEEE", phone(99)).status_code == 400  # this phone may try another code
    clock.advance(100)
    assert attempt(client, "BBBB-CCCC", phone(98)).headers["Retry-After"] == str(int(WINDOW_S) - 100)
    clock.advance(WINDOW_S - 100)
    assert attempt(client, "BBBB-CCCC", phone(98)).status_code == 400


def test_one_phone_waits_without_locking_out_its_address(client: TestClient, clock: Clock) -> None:
    for n in range(PER_PHONE):
        assert attempt(client, wrong(n), phone(1)).status_code == 400
    assert attempt(client, wrong(50), phone(1)).status_code == 429  # a new code: the phone itself waits
    cid = issue(client)["cred_id"]
    code = client.post(f"/admin/credentials/{cid}/enrolment", headers=ADMIN).json()["code"]
    assert attempt(client, code, phone(2)).status_code == 201  # the same address, another phone
    clock.advance(WINDOW_S)
    assert attempt(client, wrong(51), phone(1)).status_code == 400


def test_a_client_without_an_install_id_is_counted_by_its_address(client: TestClient, clock: Clock) -> None:
    for n in range(PER_PHONE):
        assert attempt(client, wrong(n), None).status_code == 400
    assert attempt(client, wrong(60), None).status_code == 429
    assert attempt(client, wrong(61), phone(3)).status_code == 400  # a phone that names itself is not


@pytest.mark.browser
def test_the_page_shows_the_wait_for_a_code_others_used_up(browser: Any, server: str, http: httpx.Client,  # noqa: F811
                                                          clock: Clock) -> None:
    for n in range(PER_CODE):
        assert attempt(http, "KKKK-MMMM", phone(n)).status_code == 400
    page = new_page(browser, server, clock())
    page.fill("#enrol-code", "KKKK-MMMM")
    page.click("#enrol-submit")
    page.wait_for_function("() => document.querySelector('#enrol-wait').textContent.includes('秒后重试')")
    assert page.text_content("#enrol-wait").startswith("请在 ")
    assert "尝试次数过多" in page.text_content("#enrol-error")
    assert page.is_disabled("#enrol-submit")
    page.click("#lang")
    page.wait_for_function("() => document.querySelector('#enrol-wait').textContent.startsWith('Try again in ')")
