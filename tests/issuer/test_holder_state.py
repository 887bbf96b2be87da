"""What /v1/holder/credential tells the holder: state, reason, next step, own details, endorsement window."""

from __future__ import annotations

from datetime import date, datetime, time

from issuer.holder_state import REMIND_DAYS
from issuer.lifecycle import LifecyclePolicy
from keys.timekeeping import BEIJING
from tests.issuer.app_helpers import ADMIN, Clock, TestClient, enrol, issue


def test_active_permit_details(client: TestClient) -> None:
    cred = issue(client)
    device = enrol(client, cred["cred_id"])
    body = client.get("/v1/holder/credential", headers=device).json()
    assert body["can_show"] is True
    assert body["state"]["code"] == "active" and "reason" not in body["state"]
    assert body["address"] == "北京市朝阳区建国路88号"
    assert body["card_number"] == cred["card_number"]
    assert body["valid_from"] == cred["valid_from"] and body["version"] == cred["version"]
    assert body["endorsement"]["closes"] == cred["valid_until"]
    assert "id_number" not in body and "*" in body["id_number_masked"]


def test_suspended_with_and_without_reason(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    device = enrol(client, cid)
    client.post(f"/admin/credentials/{cid}/suspend", json={"reason": "待核查"}, headers=ADMIN)
    state = client.get("/v1/holder/credential", headers=device).json()["state"]
    assert state["code"] == "suspended" and state["reason"]["zh"] == "待核查"
    assert state["next"]["zh"] and state["next"]["en"]
    client.post(f"/admin/credentials/{cid}/reinstate", headers=ADMIN)
    client.post(f"/admin/credentials/{cid}/suspend", headers=ADMIN)
    state = client.get("/v1/holder/credential", headers=device).json()["state"]
    assert state["reason"] == {"zh": "未说明原因", "en": "No reason given"}


def test_revoked_permit_phone_reads_its_state_but_gets_no_code(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    device = enrol(client, cid)
    client.post(f"/admin/credentials/{cid}/revoke", json={"reason": "虚假材料"}, headers=ADMIN)
    body = client.get("/v1/holder/credential", headers=device).json()
    assert body["state"]["code"] == "revoked" and body["state"]["reason"]["zh"] == "虚假材料"
    assert body["can_show"] is False
    for path in ("/v1/holder/live", "/v1/holder/pass"):
        assert client.get(path, headers=device).status_code == 401


def test_phone_removed_alone_is_refused_everywhere(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    device = enrol(client, cid)
    device_id = client.get(f"/admin/credentials/{cid}/devices", headers=ADMIN).json()["devices"][0]["device_id"]
    client.post(f"/admin/devices/{device_id}/revoke", headers=ADMIN)
    for path in ("/v1/holder/credential", "/v1/holder/live"):
        assert client.get(path, headers=device).status_code == 401


def test_expired_permit(client: TestClient, clock: Clock) -> None:
    cred = issue(client)
    device = enrol(client, cred["cred_id"])
    clock.now = datetime.combine(date.fromisoformat(cred["valid_until"]), time(12), BEIJING).timestamp() + 86_400
    body = client.get("/v1/holder/credential", headers=device).json()
    assert body["state"]["code"] == "expired" and body["can_show"] is False
    assert body["endorsement"]["open"] is False and body["endorsement"]["remind"] is False


def test_endorsement_reminder_starts_30_days_before_the_window_closes(client: TestClient, clock: Clock) -> None:
    cred = issue(client)
    device = enrol(client, cred["cred_id"])
    end = date.fromisoformat(cred["valid_until"])
    window = LifecyclePolicy().endorsement_window_days

    def view(days_before: int) -> dict[str, object]:
        clock.now = datetime.combine(end, time(12), BEIJING).timestamp() - days_before * 86_400
        endorsement: dict[str, object] = client.get("/v1/holder/credential", headers=device).json()["endorsement"]
        return endorsement

    assert view(window + 1)["open"] is False
    far = view(REMIND_DAYS + 1)
    assert far["remind"] is False and far["open"] is True and far["days_left"] == REMIND_DAYS + 1
    assert view(REMIND_DAYS)["remind"] is True and view(0)["remind"] is True
