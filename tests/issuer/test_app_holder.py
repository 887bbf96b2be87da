"""The holder device API: enrolment, live codes, offline passes, display data."""

from __future__ import annotations

import json

import pytest

from keys.keyset import unb64u
from keys.totp import code_at, pass_secret
from keys.wire import pass_text
from tests.issuer.app_helpers import (
    ADMIN,
    T0,
    Clock,
    TestClient,
    checker,
    enrol,
    issue,
)


@pytest.fixture
def device(client: TestClient) -> dict[str, str]:
    return enrol(client, issue(client, name="欧阳娜娜")["cred_id"])


def test_enrolment_code_works_once(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    code = client.post(f"/admin/credentials/{cid}/enrolment", headers=ADMIN).json()["code"]
    r = client.post("/v1/holder/enrol", json={"code": code.lower().replace("-", " "), "label": "手机"})
    assert r.status_code == 201 and len(r.json()["device_token"]) >= 40
    again = client.post("/v1/holder/enrol", json={"code": code, "label": "手机"})
    assert again.status_code == 400 and again.json()["error"] == "ENROLMENT_INVALID"
    assert again.json()["message"]["zh"]


def test_enrolment_code_expires(client: TestClient, clock: Clock) -> None:
    cid = issue(client)["cred_id"]
    code = client.post(f"/admin/credentials/{cid}/enrolment", headers=ADMIN).json()["code"]
    clock.advance(16 * 60)
    r = client.post("/v1/holder/enrol", json={"code": code})
    assert r.status_code == 400 and r.json()["error"] == "ENROLMENT_INVALID"


def test_enrolment_guessing_is_limited(client: TestClient, clock: Clock) -> None:
    for _ in range(10):
        assert client.post("/v1/holder/enrol", json={"code": "AAAA-AAAA"}).status_code == 400
    r = client.post("/v1/holder/enrol", json={"code": "AAAA-AAAA"})
    assert r.status_code == 429 and r.json()["error"] == "TOO_MANY_ATTEMPTS"
    assert int(r.headers["retry-after"]) > 0
    clock.advance(601)
    assert client.post("/v1/holder/enrol", json={"code": "AAAA-AAAA"}).status_code == 400


@pytest.mark.parametrize("body", [b"", b"[]", b"{}", b'{"code": 5}', b'{"code": "x", "label": "' + b"x" * 100 + b'"}',
                                  b'{"code": "\\ud800"}', b'{"code": "ABCD", "label": ""}', b"\x00\xff"])
def test_enrolment_hostile_input(client: TestClient, body: bytes) -> None:
    r = client.post("/v1/holder/enrol", content=body, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert "error" in r.json()


@pytest.mark.parametrize("path", ["/v1/holder/live", "/v1/holder/pass", "/v1/holder/credential"])
def test_device_routes_need_a_token(client: TestClient, path: str) -> None:
    for headers in [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Token abc"},
                    {"Authorization": "Bearer " + "A" * 600}, {"Authorization": b"Bearer \xff\xfe"}]:
        r = client.get(path, headers=headers)
        assert r.status_code == 401, (path, headers)
        assert r.json()["error"] == "UNAUTHORIZED"


def test_live_code(client: TestClient, clock: Clock, device: dict[str, str]) -> None:
    r = client.get("/v1/holder/live", headers=device)
    body = r.json()
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert body["period"] == 15 and body["step"] == int(T0 // 15)
    assert body["expires_in"] == pytest.approx(12)
    assert "qr_svg" not in body
    assert body["code"].startswith("RP:")
    second = client.get("/v1/holder/live", headers=device).json()
    assert second["step"] == body["step"] and second["code"] != body["code"]  # fresh nonce
    verdict = checker(client, clock()).verify(body["code"], clock())
    assert verdict.valid and verdict.mode == "MINTED"
    assert verdict.claims is not None and verdict.claims.name.startswith("欧阳")
    # Just before the period ends, the code for the next period is handed out.
    clock.now = (body["step"] + 1) * 15 - 1
    ahead = client.get("/v1/holder/live", headers=device).json()
    assert ahead["step"] == body["step"] + 1 and ahead["expires_in"] == pytest.approx(16)
    assert checker(client, clock()).verify(ahead["code"], clock()).valid


def test_live_svg_is_opt_in(client: TestClient, device: dict[str, str]) -> None:
    body = client.get("/v1/holder/live?svg=1", headers=device).json()
    assert body["qr_svg"].startswith("<svg") and "</svg>" in body["qr_svg"]


def test_offline_pass(client: TestClient, clock: Clock, device: dict[str, str], issuer_keys) -> None:
    r = client.get("/v1/holder/pass", headers=device)
    assert r.status_code == 200
    p = r.json()
    assert p["period"] == 15 and p["digits"] == 6 and p["algorithm"] == "SHA1"
    assert p["not_before"] == int(T0) and p["not_after"] == int(T0) + 24 * 3600
    secret = unb64u(p["secret"])
    assert secret == pass_secret(issuer_keys.rotation_secret, bytes.fromhex(p["pass_id"]))
    now = clock.advance(3600 * 5)
    step = int(now // 15)
    text = pass_text(unb64u(p["pass"]), step, code_at(secret, step))
    check = checker(client, now, issuer_keys.rotation_secret)
    assert check.verify(text, now).reason == "VALID"
    assert check.verify(text, now, with_secret=False).reason == "LIVENESS_UNVERIFIABLE"
    wrong = pass_text(unb64u(p["pass"]), step, (code_at(secret, step) + 1) % 1_000_000)
    assert check.verify(wrong, now).reason == "BAD_TOTP"
    later = clock.advance(20 * 3600)
    step = int(later // 15)
    stale = pass_text(unb64u(p["pass"]), step, code_at(secret, step))
    assert checker(client, later, issuer_keys.rotation_secret).verify(stale, later).reason == "STALE"


def test_credential_display(client: TestClient, device: dict[str, str]) -> None:
    r = client.get("/v1/holder/credential", headers=device)
    body = r.json()
    assert body["name"] == "欧阳娜娜" and body["permit_type"]["zh"] == "居住证"
    assert body["district"] == {"code": 3, "zh": "朝阳区", "en": "Chaoyang"}
    assert body["status"]["code"] == "active" and body["can_show"] is True
    assert "*" in body["id_number_masked"] and body["address"] == "北京市朝阳区建国路88号"  # the holder's own


def test_suspended_credential_gets_409(client: TestClient, clock: Clock) -> None:
    cid = issue(client)["cred_id"]
    device = enrol(client, cid)
    client.post(f"/admin/credentials/{cid}/suspend", headers=ADMIN)
    for path in ("/v1/holder/live", "/v1/holder/pass"):
        r = client.get(path, headers=device)
        assert r.status_code == 409
        err = r.json()
        assert err["error"] == "CREDENTIAL_NOT_ACTIVE" and "已暂停" in err["message"]["zh"]
    body = client.get("/v1/holder/credential", headers=device).json()
    assert body["status"]["code"] == "suspended" and body["can_show"] is False


def test_expired_credential_gets_409(client: TestClient, clock: Clock) -> None:
    device = enrol(client, issue(client)["cred_id"])
    clock.advance(366 * 86400)
    r = client.get("/v1/holder/live", headers=device)
    assert r.status_code == 409 and "expired" in r.json()["message"]["en"]


def test_tokens_are_not_in_responses_or_logs(client: TestClient, device: dict[str, str], caplog) -> None:
    token = device["Authorization"].split()[1]
    for path in ("/v1/holder/live", "/v1/holder/pass", "/v1/holder/credential"):
        assert token not in client.get(path, headers=device).text
    assert token not in caplog.text
    assert token not in json.dumps(client.get("/healthz").json())
