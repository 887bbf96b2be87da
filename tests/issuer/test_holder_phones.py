"""The holder's phones: list, remove one (its token refused at once), 挂失, enrolment limits per phone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.issuer.app_helpers import ADMIN, TestClient, enrol, issue
from tests.issuer.test_holder_page import enrol_in_page, http, new_page, server  # noqa: F401 (fixtures)


def phones(client: TestClient, device: dict[str, str]) -> list[dict[str, Any]]:
    r = client.get("/v1/holder/devices", headers=device)
    assert r.status_code == 200, r.text
    devices: list[dict[str, Any]] = r.json()["devices"]
    return devices


def test_list_and_remove_another_phone(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    a, b = enrol(client, cid, "手机A"), enrol(client, cid, "手机B")
    listed = phones(client, a)
    assert [(p["label"], p["this_phone"]) for p in listed] == [("手机A", True), ("手机B", False)]
    assert listed[0]["last_used_at"] is not None and listed[0]["enrolled_at"]
    r = client.post(f"/v1/holder/devices/{listed[1]['device_id']}/remove", headers=a)
    assert r.status_code == 200 and r.json() == {"removed": listed[1]["device_id"], "this_phone": False}
    assert client.get("/v1/holder/live", headers=b).status_code == 401
    assert [p["label"] for p in phones(client, a)] == ["手机A"]
    audit = client.get(f"/admin/credentials/{cid}/audit", headers=ADMIN).json()
    entries = audit["entries"] if isinstance(audit, dict) else audit
    assert any(e["operation"] == "device.revoke" and e["actor"] == f"holder:device:{listed[0]['device_id']}"
               for e in entries)


def test_another_permits_phone_cannot_be_removed(client: TestClient) -> None:
    mine = enrol(client, issue(client, seq=1)["cred_id"])
    theirs = enrol(client, issue(client, seq=2)["cred_id"])
    their_id = phones(client, theirs)[0]["device_id"]
    r = client.post(f"/v1/holder/devices/{their_id}/remove", headers=mine)
    assert r.status_code == 404 and r.json()["error"] == "NOT_FOUND"
    assert client.get("/v1/holder/live", headers=theirs).status_code == 200


def test_lost_phone_removes_all_others(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    a, b, c = (enrol(client, cid, f"手机{n}") for n in "ABC")
    r = client.post("/v1/holder/lost", headers=c)
    assert r.status_code == 200 and len(r.json()["removed"]) == 2
    assert client.get("/v1/holder/live", headers=a).status_code == 401
    assert client.get("/v1/holder/live", headers=b).status_code == 401
    assert client.get("/v1/holder/live", headers=c).status_code == 200
    assert client.post("/v1/holder/lost", headers=a).status_code == 401


def test_enrolment_limit_counts_per_phone_not_per_address(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    wrong = {"code": "AAAA-AAAA", "label": "x", "install_id": "a" * 32}
    for _ in range(10):
        assert client.post("/v1/holder/enrol", json=wrong).status_code == 400
    blocked = client.post("/v1/holder/enrol", json=wrong)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert blocked.headers["Retry-After"] in blocked.json()["message"]["zh"]
    # Another phone behind the same address enrols.
    code = client.post(f"/admin/credentials/{cid}/enrolment", headers=ADMIN).json()["code"]
    r = client.post("/v1/holder/enrol", json={"code": code, "label": "y", "install_id": "b" * 32})
    assert r.status_code == 201


@pytest.mark.browser
def test_page_removes_this_phone_on_the_server(browser, server: str, http: httpx.Client, clock) -> None:  # noqa: F811
    cid = issue(http)["cred_id"]
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, cid)
    token = page.evaluate("localStorage.getItem('rp.device_token')")
    page.wait_for_selector("#phones-list li")
    assert "本机" in page.text_content("#phones-list") and page.is_hidden("#lost")
    page.on("dialog", lambda d: d.accept())
    page.click("#unenrol")
    page.wait_for_selector("#enrol:not([hidden])")
    assert http.get("/v1/holder/live", headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.browser
def test_page_lists_and_reports_other_phones_lost(browser, server: str, http: httpx.Client, clock) -> None:  # noqa: F811
    cid = issue(http)["cred_id"]
    other = enrol(http, cid, "旧手机")  # type: ignore[arg-type]
    page = new_page(browser, server, clock())
    enrol_in_page(page, http, cid)
    page.wait_for_selector("#phones-list li >> nth=1")
    assert "旧手机" in page.text_content("#phones-list")
    page.on("dialog", lambda d: d.accept())
    page.click("#lost")
    page.wait_for_function("() => document.querySelector('#phones-status').textContent.includes('1')")
    page.wait_for_function("() => document.querySelectorAll('#phones-list li').length === 1")
    assert http.get("/v1/holder/live", headers=other).status_code == 401


@pytest.mark.browser
def test_page_shows_the_wait_after_too_many_codes(browser, server: str, clock) -> None:  # noqa: F811
    page = new_page(browser, server, clock())
    for _ in range(11):
        page.fill("#enrol-code", "AAAA-AAAA")
        page.click("#enrol-submit")
        page.wait_for_function("() => document.querySelector('#enrol-error').textContent !== '正在绑定…'")
    page.wait_for_function("() => document.querySelector('#enrol-wait').textContent.includes('秒')")
    assert page.is_disabled("#enrol-submit")
