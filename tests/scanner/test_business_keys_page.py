"""Key self-service in headless Chromium: an organisation's admin key signs in at
/business/keys, creates a key (shown once), the key checks a permit on the business
page, the admin revokes it, and the business page using it is signed out at once."""

from __future__ import annotations

import httpx
import pytest

from verifier.auth import add_key
from verifier.organisations import add_organisation

from .codes import claims
from .page_helpers import WAIT_MS, business_sign_in, open_business, type_code

pytestmark = pytest.mark.browser


def test_create_use_and_revoke_a_key(browser, verifier, issuer, tmp_path):
    keys_file = tmp_path / "api-keys.json"
    add_organisation(tmp_path / "organisations.json", "lianjia-hd", "链家地产海淀店", "Lianjia Haidian", "business")
    admin_key = add_key(keys_file, "lj-admin", "business", "lianjia-hd", admin=True)

    admin_ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    admin = admin_ctx.new_page()
    admin.goto(f"{verifier.url}/business/keys")
    admin.wait_for_selector("body[data-loaded='true']", timeout=WAIT_MS)
    business_sign_in(admin, admin_key)
    admin.wait_for_selector("body[data-keys='listed']", timeout=WAIT_MS)
    assert admin.text_content("#org-name") == "本单位：链家地产海淀店"
    assert admin.text_content("#who") == "链家地产海淀店 / Lianjia Haidian · lj-admin"
    assert admin.locator("#keys tr").count() == 1
    assert admin.locator("#keys tr[data-name='lj-admin'] button").count() == 0  # not itself

    admin.fill("#new-name", "front-desk")
    admin.press("#new-name", "Enter")
    admin.wait_for_selector("#new-key:not([hidden])", timeout=WAIT_MS)
    assert admin.text_content("#new-key-name") == "lianjia-hd.front-desk"
    plain = admin.text_content("#new-key-value")
    assert plain.startswith("vk_")
    assert admin.evaluate("() => document.activeElement.id") == "new-key"
    admin.wait_for_selector("#keys tr[data-name='lianjia-hd.front-desk'][data-revoked='false']", timeout=WAIT_MS)
    assert "由 lj-admin 创建" in admin.text_content("#keys tr[data-name='lianjia-hd.front-desk']")
    admin.click("#hide-key")
    assert admin.text_content("#new-key-value") == "" and plain not in admin.content()  # shown once

    desk_ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    desk = open_business(desk_ctx, verifier.url)
    business_sign_in(desk, plain)
    assert type_code(desk, issuer.minted(claims(), period=120))["reason"] == "VALID"

    admin.on("dialog", lambda dialog: dialog.accept())
    admin.click("#keys tr[data-name='lianjia-hd.front-desk'] button")
    admin.wait_for_selector("#keys tr[data-name='lianjia-hd.front-desk'][data-revoked='true']", timeout=WAIT_MS)
    assert "由 lj-admin 注销" in admin.text_content("#keys tr[data-name='lianjia-hd.front-desk']")
    admin.set_viewport_size({"width": 195, "height": 400})  # a 390 px phone at 200% zoom: rows stack, nothing scrolls sideways
    assert admin.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    admin.set_viewport_size({"width": 390, "height": 800})

    # Refused at once: the page that used it is signed out at its next check, the API refuses the key.
    desk.fill("#code-input", issuer.minted(claims(), period=120))
    desk.press("#code-input", "Enter")
    desk.wait_for_selector("body[data-state='signin']", timeout=WAIT_MS)
    assert "已失效" in desk.text_content("#signin-error")
    with httpx.Client(base_url=verifier.url) as client:
        refused = client.post("/v1/verify", json={"code": issuer.minted(claims())}, headers={"Authorization": f"Bearer {plain}"})
    assert refused.status_code == 401
    desk_ctx.close()

    # A key that is not an admin key is told so, in the service's words.
    admin.click("#sign-out")
    admin.wait_for_selector("body[data-state='signin']", timeout=WAIT_MS)
    business_sign_in(admin, verifier.business_key)
    admin.wait_for_selector("body[data-keys='refused']", timeout=WAIT_MS)
    assert "管理密钥" in admin.text_content("#keys-error")
    admin.click("#lang-toggle")
    assert admin.get_attribute("html", "lang") == "en"
    assert "admin key" in admin.text_content("#keys-error")
    admin_ctx.close()
