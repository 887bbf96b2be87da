"""Officers' own API tokens: the /admin JSON API acts as the named officer, within the officer's role."""

from __future__ import annotations

from typing import Any

from issuer.officers.api_tokens import TOKEN_PREFIX, OfficerTokens
from issuer.officers.store import OfficerStore
from tests.issuer.app_helpers import ADMIN, issue

from .conftest import Officers


def _token(app: Any, username: str, label: str = "柜台脚本") -> str:
    state = app.state.issuer
    now = state.now_dt()
    issued = state.worker.call_sync(lambda reg, lc: OfficerTokens(reg).issue(username, label, actor="officer:admin1",
                                                                            now=now))
    assert issued.token.startswith(TOKEN_PREFIX) and issued.token not in repr(issued)
    return str(issued.token)


def test_an_act_with_an_officers_token_is_recorded_as_that_officer(client: Any, app: Any, officers: Officers) -> None:
    cid = issue(client)["cred_id"]
    clerk = {"Authorization": f"Bearer {_token(app, 'clerk1')}"}
    supervisor = {"Authorization": f"Bearer {_token(app, 'supervisor1')}"}
    assert client.post(f"/admin/credentials/{cid}/endorse", headers=clerk).status_code in (200, 409)
    # a counter clerk may not revoke: the role table decides, as in the console
    refused = client.post(f"/admin/credentials/{cid}/revoke", json={"reason": "虚假材料"}, headers=clerk)
    assert (refused.status_code, refused.json()["error"]) == (403, "FORBIDDEN")
    assert client.post(f"/admin/credentials/{cid}/revoke", json={"reason": "虚假材料"},
                       headers=supervisor).status_code == 200
    entries = client.get(f"/admin/credentials/{cid}/audit", headers=clerk).json()["entries"]
    assert entries[-1]["operation"] == "revoke" and entries[-1]["actor"] == "officer:supervisor1"


def test_a_revoked_token_or_a_disabled_officer_is_refused_at_once(client: Any, app: Any, officers: Officers) -> None:
    state = app.state.issuer
    now = state.now_dt()
    token = _token(app, "reviewer1")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/admin/credentials", headers=headers).status_code == 200
    [listed] = state.worker.call_sync(lambda reg, lc: OfficerTokens(reg).listing("reviewer1"))
    state.worker.call_sync(lambda reg, lc: OfficerTokens(reg).revoke(listed.token_id, actor="officer:admin1", now=now))
    assert client.get("/admin/credentials", headers=headers).status_code == 401

    other = {"Authorization": f"Bearer {_token(app, 'field1')}"}
    assert client.get("/admin/credentials", headers=other).status_code == 200
    state.worker.call_sync(lambda reg, lc: OfficerStore(reg).set_active("field1", False, actor="officer:admin1",
                                                                       now=now))
    assert client.get("/admin/credentials", headers=other).status_code == 401
    # a made-up token of the right shape is no better than none
    assert client.get("/admin/credentials", headers={"Authorization": f"Bearer {TOKEN_PREFIX}x"}).status_code == 401
    assert client.get("/admin/credentials", headers=ADMIN).status_code == 200
