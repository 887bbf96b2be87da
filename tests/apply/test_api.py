"""The applicant JSON API end to end: account, application, booking, approval, phone."""

from __future__ import annotations

from typing import Any

from tests.apply.http_helpers import (
    API,
    PDF,
    officials_approve,
    permit_application,
    register,
)
from tests.issuer.app_helpers import Clock, TestClient, checker, live_code
from tests.issuer.idgen import make_id


def test_from_registration_to_a_verified_live_code(client: TestClient, app: Any, clock: Clock) -> None:
    headers = register(client, app)
    app_id = permit_application(client, headers)
    stations = client.get(f"{API}/applications/{app_id}/stations").json()
    suggestion = stations["suggestion"]
    assert {s["district_code"] for s in stations["stations"]} == {6}
    r = client.put(f"{API}/applications/{app_id}/appointment", headers=headers,
                   json={k: suggestion[k] for k in ("station_id", "day", "half")})
    assert r.status_code == 200, r.text
    cred_id = officials_approve(app, app_id)
    detail = client.get(f"{API}/applications/{app_id}").json()
    assert detail["state"]["code"] == "approved" and detail["issued_cred_id"] == cred_id
    assert [e["state"] for e in detail["timeline"]][-2:] == ["accepted", "approved"]
    creds = client.get(f"{API}/credentials").json()["credentials"]
    assert [c["cred_id"] for c in creds] == [cred_id] and creds[0]["status"]["code"] == "active"
    notes = client.get(f"{API}/notifications").json()["notifications"]
    assert "审核通过" in notes[0]["text"]["zh"]
    # The phone enrols from the signed-in account, without a clerk's code.
    code = client.post(f"{API}/credentials/{cred_id}/enrolment", headers=headers).json()["code"]
    token = client.post("/v1/holder/enrol", json={"code": code, "label": "my phone"}).json()["device_token"]
    text = live_code(client, {"Authorization": f"Bearer {token}"})
    verdict = checker(client, clock()).verify(text, clock())
    assert verdict.reason == "VALID" and verdict.claims is not None and verdict.claims.name == "王芳"


def test_online_applications_are_only_for_oneself(client: TestClient, app: Any) -> None:
    headers = register(client, app)
    r = client.post(f"{API}/applications", headers=headers, json={"kind": "registration_card",
                                                                   "id_number": make_id(seq=77)})
    assert r.status_code == 403 and r.json()["error"] == "PROXY_NOT_ONLINE"
    r = client.post(f"{API}/applications", headers=headers, json={"kind": "registration_card",
                                                                   "id_number": make_id(seq=1).lower()})
    assert r.status_code == 201


def test_writes_need_the_session_csrf_token_and_json(client: TestClient, app: Any) -> None:
    headers = register(client, app)
    assert client.post(f"{API}/applications", json={"kind": "registration_card"}).status_code == 403
    assert client.post(f"{API}/applications", json={"kind": "registration_card"},
                       headers={"X-CSRF-Token": "forged"}).status_code == 403
    r = client.post(f"{API}/applications", content=b"kind=registration_card", headers={
        **headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    r = client.post(f"{API}/applications", json={"kind": "registration_card"},
                    headers={**headers, "Origin": "https://evil.example"})
    assert r.status_code == 403 and r.json()["error"] == "CSRF"
    client.cookies.clear()
    r = client.get(f"{API}/applications")
    assert r.status_code == 401 and r.json()["error"] == "UNAUTHORIZED"


def test_incomplete_application_names_its_fields(client: TestClient, app: Any) -> None:
    headers = register(client, app)
    app_id = client.post(f"{API}/applications", headers=headers, json={"kind": "residence_permit"}).json()["app_id"]
    r = client.post(f"{API}/applications/{app_id}/preview", headers=headers)
    assert r.status_code == 400 and r.json()["error"] == "APPLICATION_INCOMPLETE"
    assert {"district_code", "address", "residence_since", "proof_basis"} <= set(r.json()["problems"])
    r = client.patch(f"{API}/applications/{app_id}", headers=headers, json={"residence_since": "yesterday"})
    assert r.status_code == 400 and r.json()["field"] == "residence_since"
    r = client.patch(f"{API}/applications/{app_id}", headers=headers, json={"state": "approved"})
    assert r.status_code == 200 and r.json()["state"]["code"] == "draft"


def test_another_account_sees_nothing_of_mine(client: TestClient, app: Any) -> None:
    mine = register(client, app, seq=1)
    app_id = permit_application(client, mine)
    r = client.post(f"{API}/applications/{app_id}/evidence", headers=mine, data={"kind": "tax"},
                    files={"file": ("x.pdf", PDF, "application/pdf")})
    assert r.status_code == 400  # submitted: no more uploads
    client.cookies.clear()
    other = register(client, app, seq=2, name="李雷")
    assert client.get(f"{API}/applications/{app_id}").status_code == 404
    assert client.post(f"{API}/applications/{app_id}/withdraw", headers=other).status_code == 404
    assert client.get(f"/apply/applications/{app_id}").status_code == 404


def test_rejection_reason_reaches_the_applicant(client: TestClient, app: Any) -> None:
    headers = register(client, app)
    app_id = permit_application(client, headers)
    state = app.state.issuer

    def decide(reg: Any, lc: Any) -> None:
        from issuer.applications.store import ApplicationStore

        store = ApplicationStore(reg, sms=state.sms)
        store.accept(app_id, officer="officer:a", station_id="06-P", checked=["id_card"], now=state.now_dt())
        store.reject(app_id, officer="officer:b", reason="纳税证明与本人不符", now=state.now_dt())

    state.worker.call_sync(decide)
    detail = client.get(f"{API}/applications/{app_id}").json()
    assert detail["state"]["code"] == "rejected" and detail["reason"] == "纳税证明与本人不符"
    page = client.get(f"/apply/applications/{app_id}")
    assert "纳税证明与本人不符" in page.text
    assert any("纳税证明与本人不符" in m.text for m in state.sms.messages("13900000001"))
