"""Signing in to the console: password and one-time code, idle timeout, who may open what."""

from __future__ import annotations

from typing import Any

from tests.issuer.console.conftest import Officers, otp_for, sign_in


def test_sign_in_needs_password_and_fresh_one_time_code(client: Any, clock: Any, officers: Officers) -> None:
    clerk = officers["clerk"]
    r = client.get("/console/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/signin")
    wrong = client.post("/console/signin", data={"username": "clerk1", "password": "not-it",
                                                 "otp": otp_for(clerk, clock()), "next": "/console/"})
    assert wrong.status_code == 401 and "SIGN_IN_FAILED" in wrong.text
    sign_in(client, clerk, clock)
    page = client.get("/console/search")
    assert page.status_code == 200 and "王立" in page.text and "中关村派出所" in page.text
    # the same code again (within its 30 s) is refused: a code read over a shoulder is spent
    again = client.post("/console/signin", data={"username": "clerk1", "password": clerk.password,
                                                 "otp": otp_for(clerk, clock()), "next": "/console/"})
    assert again.status_code == 401


def test_idle_session_ends(client: Any, clock: Any, officers: Officers) -> None:
    sign_in(client, officers["reviewer"], clock)
    assert client.get("/console/search").status_code == 200
    clock.advance(16 * 60)
    r = client.get("/console/search", follow_redirects=False)
    assert r.status_code == 303 and "/console/signin" in r.headers["location"]


def test_api_keys_and_tokens_cannot_open_the_console(client: Any, clock: Any, officers: Officers) -> None:
    for header in ("Bearer vk_business-key-of-a-landlord", "Bearer test-admin-token-7Qf3kLm9Zx2Pw8Rt"):
        r = client.get("/console/search", headers={"Authorization": header})
        assert r.status_code == 401 and "CONSOLE_OFFICERS_ONLY" in r.text


def test_disabled_officer_is_signed_out_at_once(client: Any, clock: Any, officers: Officers, app: Any) -> None:
    from issuer.officers.store import OfficerStore

    sign_in(client, officers["clerk"], clock)
    state = app.state.issuer
    now = state.now_dt()
    state.worker.call_sync(lambda reg, lc: OfficerStore(reg).set_active("clerk1", False, actor="officer:admin1", now=now))
    assert client.get("/console/search", follow_redirects=False).status_code == 303


def test_scanner_assertion_for_officers_who_scan(client: Any, clock: Any, officers: Officers) -> None:
    from keys.keyset import KeySet
    from keys.officer_assertion import verify_assertion

    field = officers["field"]
    clock.advance(30)
    r = client.post("/v1/officers/assertion", json={"username": "field1", "password": field.password,
                                                    "otp": otp_for(field, clock())})
    assert r.status_code == 200, r.text
    keyset = KeySet.loads(client.get("/.well-known/permit-keys.json").content)
    claims = verify_assertion(r.json()["assertion"], keyset, clock())
    assert (claims.username, claims.display_name, claims.role, claims.station) == ("field1", "赵民警", "field", "06-P")
    admin = officers["admin"]
    denied = client.post("/v1/officers/assertion", json={"username": "admin1", "password": admin.password,
                                                         "otp": otp_for(admin, clock())})
    assert denied.status_code == 403 and denied.json()["error"] == "FORBIDDEN"
    wrong = client.post("/v1/officers/assertion", json={"username": "field1", "password": "x", "otp": "000000"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "SIGN_IN_FAILED"


def test_a_disabled_account_is_on_the_signed_officer_list(client: Any, clock: Any, officers: Officers) -> None:
    from keys.keyset import KeySet
    from keys.officer_list import officer_digest, verify_officer_list
    from issuer.officers.store import OfficerStore

    keyset = KeySet.loads(client.get("/.well-known/permit-keys.json").content)
    before = verify_officer_list(client.get("/v1/officers/disabled").json()["document"], keyset, clock())
    assert before.digests == frozenset()
    state = client.app.state.issuer
    now = state.now_dt()
    state.worker.call_sync(lambda reg, lc: OfficerStore(reg).set_active("field1", False, actor="officer:admin1",
                                                                       now=now))
    after = verify_officer_list(client.get("/v1/officers/disabled").json()["document"], keyset, clock())
    assert after.disabled("officer:field1") and not after.disabled("officer:clerk1")
    assert after.digests == {officer_digest("officer:field1")}
    assert "field1" not in client.get("/v1/officers/disabled").text  # named by digest only
