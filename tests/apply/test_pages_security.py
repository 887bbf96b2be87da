"""Two-step sign-in and password reset through the pages."""

from __future__ import annotations

import re
from typing import Any

import pyotp

from tests.apply.http_helpers import API, PASSWORD, phone_of, register, sms_code
from tests.apply.test_pages import csrf_of, errors_of
from tests.issuer.app_helpers import Clock, TestClient


def test_turn_on_two_step_sign_in_with_the_qr(client: TestClient, app: Any, clock: Clock) -> None:
    register(client, app)
    page = client.get("/apply/account/security")
    assert 'id="totp-state"' in page.text
    r = client.post("/apply/account/security", data={"csrf": csrf_of(page.text), "action": "begin"})
    assert "<svg" in r.text
    uri = re.search(r'<code id="totp-uri">([^<]+)</code>', r.text)
    assert uri
    secret = pyotp.parse_uri(uri.group(1).replace("&amp;", "&")).secret
    wrong = client.post("/apply/account/security", data={"csrf": csrf_of(r.text), "action": "confirm", "totp": "12"})
    assert wrong.status_code == 400 and errors_of(wrong.text) == ["totp"]
    r = client.post("/apply/account/security", data={"csrf": csrf_of(r.text), "action": "confirm",
                                                     "totp": pyotp.TOTP(secret).at(clock())})
    assert "已开启" in r.text
    client.cookies.delete("apply_session", path="/apply")
    login = client.get("/apply/login")
    form = {"csrf": csrf_of(login.text), "login": phone_of(1), "password": PASSWORD}
    asked = client.post("/apply/login", data=form)
    assert asked.status_code == 401 and 'id="totp"' in asked.text
    clock.advance(30)
    done = client.post("/apply/login", data={**form, "totp": pyotp.TOTP(secret).at(clock())}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/apply/account"


def test_reset_the_password_with_a_texted_code(client: TestClient, app: Any) -> None:
    register(client, app)
    client.cookies.clear()
    page = client.get("/apply/reset")
    token = csrf_of(page.text)
    r = client.post("/apply/reset", data={"csrf": token, "action": "send_code", "login": phone_of(1)})
    assert r.status_code == 200 and "验证码已发送" in r.text
    # The same answer for a login nobody has: the page does not tell who is registered.
    other = client.post("/apply/reset", data={"csrf": token, "action": "send_code", "login": "13000000000"})
    assert other.status_code == 200 and "验证码已发送" in other.text
    r = client.post("/apply/reset", data={"csrf": token, "action": "reset", "login": phone_of(1),
                                          "sms_code": sms_code(app, phone_of(1)), "password": "another123"})
    assert r.status_code == 200 and "密码已重设" in r.text
    assert client.post(f"{API}/session", json={"login": phone_of(1), "password": PASSWORD}).status_code == 401
    assert client.post(f"{API}/session", json={"login": phone_of(1), "password": "another123"}).status_code == 200
