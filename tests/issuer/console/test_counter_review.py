"""Counter acceptance, counter and proxy applications, and the review queue, through the pages' HTTP."""

from __future__ import annotations

from typing import Any

from tests.issuer.console.conftest import Officers, booked_application, csrf_of, sign_in
from tests.issuer.idgen import make_id


def test_accept_at_the_counter_then_a_second_officer_approves(client: Any, clock: Any, officers: Officers,
                                                              app: Any) -> None:
    app_id = booked_application(app, seq=11)
    sign_in(client, officers["clerk"], clock)
    today = client.get("/console/")
    assert app_id in today.text and "王芳" in today.text
    page = client.get(f"/console/applications/{app_id}")
    csrf = csrf_of(page.text)
    wrong = client.post(f"/console/applications/{app_id}/accept", data={
        "csrf": csrf, "card_name": "王芳", "card_id_number": make_id(seq=12), "checked": ["id_card"]})
    assert wrong.status_code == 409 and "ID_CARD_MISMATCH" in wrong.text
    no_card = client.post(f"/console/applications/{app_id}/accept", data={
        "csrf": csrf, "card_name": "王芳", "card_id_number": make_id(seq=11), "checked": ["lease"]})
    assert no_card.status_code == 400
    ok = client.post(f"/console/applications/{app_id}/accept", data={
        "csrf": csrf, "card_name": "王芳", "card_id_number": make_id(seq=11), "checked": ["id_card", "lease"]},
        follow_redirects=False)
    assert ok.status_code == 303
    # the clerk may neither approve (role) nor, as a supervisor who accepted, decide (separation of duties)
    denied = client.post(f"/console/applications/{app_id}/approve", data={"csrf": csrf, "confirm": "yes"})
    assert denied.status_code == 403 and "FORBIDDEN" in denied.text

    sign_in(client, officers["reviewer"], clock)
    queue = client.get("/console/review")
    assert app_id in queue.text and "2026-12-03" in queue.text  # 8 working days after Monday 23 November
    csrf = csrf_of(client.get(f"/console/applications/{app_id}").text)
    done = client.post(f"/console/applications/{app_id}/approve", data={"csrf": csrf, "confirm": "yes"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/console/credentials/")
    cred_page = client.get(done.headers["location"])
    assert "officer:reviewer1" in cred_page.text and 'data-status="active"' in cred_page.text
    assert app_id not in client.get("/console/review").text


def test_the_accepting_officer_cannot_decide(client: Any, clock: Any, officers: Officers, app: Any) -> None:
    app_id = booked_application(app, seq=21)
    sign_in(client, officers["supervisor"], clock)
    csrf = csrf_of(client.get(f"/console/applications/{app_id}").text)
    client.post(f"/console/applications/{app_id}/accept", data={
        "csrf": csrf, "card_name": "王芳", "card_id_number": make_id(seq=21), "checked": ["id_card"]})
    r = client.post(f"/console/applications/{app_id}/approve", data={"csrf": csrf, "confirm": "yes"})
    assert r.status_code == 409 and "SEPARATION_OF_DUTIES" in r.text


def test_refuse_with_a_reason(client: Any, clock: Any, officers: Officers, app: Any) -> None:
    app_id = booked_application(app, seq=31)
    sign_in(client, officers["clerk"], clock)
    csrf = csrf_of(client.get(f"/console/applications/{app_id}").text)
    assert client.post(f"/console/applications/{app_id}/refuse", data={"csrf": csrf, "reason": " "}).status_code == 400
    r = client.post(f"/console/applications/{app_id}/refuse", data={"csrf": csrf, "reason": "住所证明不全"})
    assert r.status_code == 200 and 'data-state="refused"' in r.text and "住所证明不全" in r.text


def test_forms_need_the_session_csrf_token(client: Any, clock: Any, officers: Officers, app: Any) -> None:
    app_id = booked_application(app, seq=41)
    sign_in(client, officers["clerk"], clock)
    r = client.post(f"/console/applications/{app_id}/refuse", data={"csrf": "forged", "reason": "x"})
    assert r.status_code == 403 and "CSRF_TOKEN_INVALID" in r.text


def _proxy_form(csrf: str, **over: Any) -> dict[str, Any]:
    form = {"csrf": csrf, "kind": "registration_card", "holder_name": "小明", "district": "海淀区",
            "id_number": make_id(seq=51, born=__import__("datetime").date(2015, 3, 1)),
            "address": "北京市海淀区学院路30号2单元", "residence_since": "2026-01-01",
            "proxy_basis": "child_under_16", "proxy_name": "王芳", "proxy_id_number": make_id(seq=52),
            "proxy_relationship": "parent", "proxy_proof": "户口簿 No. 1100012", "proxy_mandate": "",
            "checked": ["id_card", "relationship"]}
    form.update(over)
    return form


def test_proxy_application_for_a_child_and_who_applied_is_shown(client: Any, clock: Any, officers: Officers) -> None:
    sign_in(client, officers["clerk"], clock)
    csrf = csrf_of(client.get("/console/counter/new").text)
    adult = client.post("/console/counter/new", data=_proxy_form(csrf, id_number=make_id(seq=53)))
    assert adult.status_code == 400 and "16" in adult.text  # an adult needs the elderly/disabled basis and a mandate
    no_mandate = client.post("/console/counter/new", data=_proxy_form(csrf, id_number=make_id(seq=53),
                                                                        proxy_basis="elderly"))
    assert no_mandate.status_code == 400 and "委托书" in no_mandate.text
    r = client.post("/console/counter/new", data=_proxy_form(csrf), follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert 'data-state="accepted"' in page.text and "王芳" in page.text and "父母" in page.text
    app_id = r.headers["location"].rsplit("/", 1)[1].split("?")[0]

    sign_in(client, officers["reviewer"], clock)
    csrf = csrf_of(client.get(f"/console/applications/{app_id}").text)
    done = client.post(f"/console/applications/{app_id}/approve", data={"csrf": csrf, "confirm": "yes"})
    assert done.status_code == 200 and 'id="applied-by"' in done.text and "王芳" in done.text
