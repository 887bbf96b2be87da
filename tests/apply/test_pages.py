"""The applicant pages over HTTP: forms without JavaScript, errors by their field, CSRF,
the English switch, the notice and its PDF, evidence uploads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from issuer.applications.evidence import MAX_EVIDENCE_BYTES
from issuer.apply.routes import STATIC
from tests.apply.http_helpers import PDF, officials_approve, phone_of, register, sms_code
from tests.issuer.app_helpers import TestClient
from tests.issuer.idgen import make_id

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def errors_of(html: str) -> list[str]:
    return re.findall(r'<p class="error" id="([\w-]+)-error">', html)


def sign_up_with_pages(client: TestClient, app: Any, seq: int = 1) -> str:
    page = client.get("/apply/register")
    assert page.status_code == 200 and 'for="id_number"' in page.text
    token = csrf_of(page.text)
    form = {"csrf": token, "name": "王芳", "id_number": make_id(seq=seq), "phone": phone_of(seq)}
    r = client.post("/apply/register", data={**form, "action": "send_code"})
    assert "验证码已发送" in r.text
    r = client.post("/apply/register", data={**form, "action": "register", "sms_code": "000000", "password": "x"})
    assert r.status_code == 400 and set(errors_of(r.text)) == {"password"}
    r = client.post("/apply/register", data={**form, "action": "register", "sms_code": sms_code(app, phone_of(seq)),
                                             "password": "abc12345"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/apply/account"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/apply" in cookie
    return csrf_of(client.get("/apply/account").text)


def test_pages_from_register_to_notice_and_permit(client: TestClient, app: Any) -> None:
    csrf = sign_up_with_pages(client, app)
    r = client.post("/apply/applications", data={"csrf": csrf, "kind": "residence_permit"}, follow_redirects=False)
    url = r.headers["location"]
    fields = {"csrf": csrf, "district_code": "6", "address": "北京市海淀区学院路30号", "residence_since": "2025-01-01",
              "proof_basis": "tax", "proof_from": "2026-06", "proof_to": "2026-10", "action": "preview"}
    r = client.post(url, data=fields)
    # Errors next to their fields: the months do not cover the window, the proof is missing.
    assert r.status_code == 400 and set(errors_of(r.text)) == {"proof_from", "evidence"}
    assert "2026-04" in r.text and 'aria-invalid="true"' in r.text and "error-summary" in r.text
    r = client.post(url + "/evidence", data={"csrf": csrf, "kind": "tax"},
                    files={"file": ("tax.pdf", b"<html>not a pdf</html>", "application/pdf")})
    assert r.status_code == 400 and "只接受PDF、JPG或PNG文件" in r.text
    r = client.post(url + "/evidence", data={"csrf": csrf, "kind": "tax"}, files={"file": ("tax.png", PNG, "x/y")},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post(url, data={**fields, "proof_from": "2026-04"}, follow_redirects=False)
    assert r.headers["location"] == url + "/preview"
    preview = client.get(url + "/preview")
    assert "北京市海淀区学院路30号" in preview.text and "tax.png" in preview.text
    r = client.post(url + "/preview", data={"csrf": csrf}, follow_redirects=False)
    assert r.headers["location"] == url + "/booking"
    booking = client.get(url + "/booking")
    assert 'id="suggestion"' in booking.text and "<meter" in booking.text
    chosen = re.search(r'name="slot" id="[^"]+" value="([^"]+)" checked', booking.text)
    assert chosen
    r = client.post(url + "/booking", data={"csrf": csrf, "station_id": "06-P", "slot": chosen.group(1)},
                    follow_redirects=False)
    assert r.headers["location"] == url + "/notice"
    notice = client.get(url + "/notice")
    assert "中关村派出所" in notice.text and "居民身份证原件" in notice.text and "2026-11-24 上午" in notice.text
    pdf = client.get(url + "/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    english = client.get(url + "/notice?lang=en")
    assert "Zhongguancun Police Station" in english.text and "Bring" in english.text
    assert 'lang="en"' in english.text
    assert "Bring" in client.get(url + "/notice").text  # the choice is kept in a cookie

    app_id = url.rsplit("/", 1)[1]
    cred_id = officials_approve(app, app_id)
    account = client.get("/apply/account")
    assert f'id="permit-{cred_id}"' in account.text and "Approved and issued" in account.text
    r = client.post(f"/apply/credentials/{cred_id}/phone", data={"csrf": csrf})
    code = re.search(r'data-code="([A-Z0-9-]+)"', r.text)
    assert r.status_code == 200 and code
    assert client.post("/v1/holder/enrol", json={"code": code.group(1)}).status_code == 201


def test_forms_without_the_csrf_token_are_refused(client: TestClient, app: Any) -> None:
    client.get("/apply/register")
    r = client.post("/apply/register", data={"action": "send_code", "phone": phone_of(1)})
    assert r.status_code == 403 and r.json()["error"] == "CSRF"
    csrf = sign_up_with_pages(client, app)
    assert client.post("/apply/applications", data={"kind": "residence_permit"}).status_code == 403
    assert client.post("/apply/applications", data={"csrf": "x" + csrf, "kind": "residence_permit"}).status_code == 403


def test_signed_out_pages_redirect_and_public_pages_render(client: TestClient) -> None:
    r = client.get("/apply/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/apply/login"
    home = client.get("/apply/")
    assert home.status_code == 200 and "Content-Security-Policy" in home.headers
    help_page = client.get("/apply/help")
    assert 'id="guide"' in help_page.text and 'id="rules"' in help_page.text and 'id="faq"' in help_page.text
    assert "上上月" in help_page.text and "代为申请" in help_page.text
    assert "How it works" in client.get("/apply/help?lang=en").text


def test_uploads_are_typed_by_content_limited_and_kept_out_of_served_dirs(client: TestClient, app: Any,
                                                                           tmp_path: Path) -> None:
    csrf = sign_up_with_pages(client, app)
    url = client.post("/apply/applications", data={"csrf": csrf, "kind": "residence_permit"},
                      follow_redirects=False).headers["location"]
    for name, data, ok in (("a.jpg", JPEG, True), ("b.pdf", PDF, True), ("c.pdf", b"GIF89a....", False),
                           ("d.png", b"", False), ("e.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES, False)):
        r = client.post(url + "/evidence", data={"csrf": csrf, "kind": "other"},
                        files={"file": (name, data, "application/pdf")}, follow_redirects=False)
        assert (r.status_code == 303) is ok, (name, r.status_code)
    page = client.get(url)
    links = re.findall(r'href="(/apply/applications/[^"]+/evidence/[0-9a-f]+)"', page.text)
    assert len(links) == 2
    got = client.get(links[0])
    assert got.content == JPEG and got.headers["content-type"] == "image/jpeg"
    assert got.headers["content-disposition"] == "attachment"
    stored = list((tmp_path / "evidence").rglob("*"))
    assert any(p.is_file() and p.read_bytes() == JPEG for p in stored)
    assert not any(STATIC in p.parents for p in stored)
    client.cookies.clear()
    register(client, app, seq=2, name="李雷")
    assert client.get(links[0]).status_code == 404


def test_evidence_directory_is_beside_the_registry_or_the_keys(tmp_path: Path) -> None:
    from issuer.applications.evidence import evidence_directory
    from issuer.config import Config

    assert evidence_directory(Config(registry_path=str(tmp_path / "db" / "r.sqlite3"))) == tmp_path / "db" / "evidence"
    remote = Config(registry_path="postgresql://issuer@db.internal/registry", keys_dir=tmp_path / "issuer" / "keys")
    assert evidence_directory(remote) == tmp_path / "issuer" / "evidence"
