"""挂失 from the applicant account: the signed-in holder removes every phone of their permit at once."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from issuer.app import create_app
from tests.apply.http_helpers import phone_of, sms_code
from tests.apply.test_pages import sign_up_with_pages
from tests.issuer.app_helpers import ADMIN, TestClient, enrol, issue, make_config
from tests.issuer.idgen import make_id


def _permit_with_phones(client: TestClient, seq: int, count: int) -> tuple[str, list[dict[str, str]]]:
    cred_id = issue(client, seq=seq)["cred_id"]
    return cred_id, [enrol(client, cred_id, label=f"phone {i}") for i in range(count)]


def test_the_holder_removes_every_phone_from_the_account(client: TestClient, app: Any) -> None:
    csrf = sign_up_with_pages(client, app, seq=1)
    cred_id, phones = _permit_with_phones(client, 1, 2)
    page = client.get("/apply/account").text
    assert "已绑定手机 2 部" in page and f'action="/apply/credentials/{cred_id}/lost"' in page
    assert f'<label for="lost-confirm-{cred_id}">' in page

    unconfirmed = client.post(f"/apply/credentials/{cred_id}/lost", data={"csrf": csrf})
    assert unconfirmed.status_code == 400 and "未确认" in unconfirmed.text
    assert client.get("/v1/holder/live", headers=phones[0]).status_code == 200
    assert client.post(f"/apply/credentials/{cred_id}/lost", data={"confirm": "yes"}).status_code == 403  # no CSRF

    done = client.post(f"/apply/credentials/{cred_id}/lost", data={"csrf": csrf, "confirm": "yes"})
    assert done.status_code == 200 and "解除了 2 部手机" in done.text
    for phone in phones:
        assert client.get("/v1/holder/live", headers=phone).status_code == 401
    audit = client.get(f"/admin/credentials/{cred_id}/audit", headers=ADMIN).json()
    entries = audit["entries"] if isinstance(audit, dict) else audit
    revoked = [e for e in entries if e["operation"] == "device.revoke_all"]
    assert len(revoked) == 1 and revoked[0]["actor"].startswith("applicant:")
    assert revoked[0]["details"] == {"count": 2}
    assert "已绑定手机" not in client.get("/apply/account").text


def test_another_persons_permit_is_not_found(client: TestClient, app: Any) -> None:
    csrf = sign_up_with_pages(client, app, seq=1)
    cred_id, phones = _permit_with_phones(client, 2, 1)  # someone else's ID number
    r = client.post(f"/apply/credentials/{cred_id}/lost", data={"csrf": csrf, "confirm": "yes"})
    assert r.status_code == 404
    r = client.post("/apply/credentials/not-a-cred-id/lost", data={"csrf": csrf, "confirm": "yes"})
    assert r.status_code == 404
    assert client.get("/v1/holder/live", headers=phones[0]).status_code == 200


def test_signed_out_the_form_leads_to_sign_in(client: TestClient) -> None:
    r = client.post("/apply/credentials/0123456789abcdef/lost", data={"confirm": "yes"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/apply/login"


@pytest.fixture
def served(tmp_path: Path, clock: Any, issuer_keys: Any, live_server: Any) -> tuple[str, Any]:
    app = create_app(make_config(tmp_path), clock=clock, keys=issuer_keys, registry_rng=random.Random(5))
    return str(live_server(app)), app


@pytest.mark.browser
def test_lost_phone_from_the_account_page(browser: Any, served: tuple[str, Any]) -> None:
    server, app = served
    with httpx.Client(base_url=server, timeout=10) as http:
        cred_id = issue(http, seq=7)["cred_id"]  # type: ignore[arg-type]
        phones = [enrol(http, cred_id, label=f"phone {i}") for i in range(2)]  # type: ignore[arg-type]
        _report_lost(browser, server, app, cred_id)
        for phone in phones:
            assert http.get("/v1/holder/live", headers=phone).status_code == 401


def _report_lost(browser: Any, server: str, app: Any, cred_id: str) -> None:
    page = browser.new_context(locale="zh-CN", service_workers="block", viewport={"width": 390, "height": 844}).new_page()
    page.goto(server + "/apply/register")
    page.fill("#name", "王芳")
    page.fill("#id_number", make_id(seq=7))
    page.fill("#phone", phone_of(7))
    page.click("button[value=send_code]")
    page.wait_for_selector(".flash")
    page.fill("#sms_code", sms_code(app, phone_of(7)))
    page.fill("#password", "abc12345")
    page.click("button[value=register]")
    page.wait_for_url("**/apply/account")
    assert "已绑定手机 2 部" in page.text_content(f"#permit-{cred_id}")
    page.get_by_label("我确认解除该证件绑定的所有手机").check()
    page.click(f"#lost-{cred_id}")
    page.wait_for_selector("text=已挂失")
    assert "解除了 2 部手机" in page.text_content("main")
