"""Home visits after issuance and change; "not living there" opens a case that can suspend the permit."""

from __future__ import annotations

from typing import Any

from tests.issuer.app_helpers import ADMIN, issue
from tests.issuer.console.conftest import Officers, csrf_of, make_officer, sign_in


def _task_id(html: str) -> int:
    import re

    match = re.search(r'action="/console/visits/(\d+)"', html)
    assert match, "no visit task on the page"
    return int(match.group(1))


def test_visit_not_living_there_opens_a_case_that_suspends(client: Any, clock: Any, officers: Officers) -> None:
    cred = issue(client, seq=61, district="海淀区")  # the district of the officers' station
    sign_in(client, officers["field"], clock)
    page = client.get("/console/visits")
    assert "张三" in page.text and "北京市朝阳区建国路88号" in page.text
    task, csrf = _task_id(page.text), csrf_of(page.text)
    nobody = client.post(f"/console/visits/{task}", data={"csrf": csrf, "outcome": "nobody_home"})
    assert nobody.status_code == 200 and f"/console/visits/{task}" in nobody.text  # still open, tried once
    # a field officer cannot revoke, nor decide the case
    assert client.post(f"/console/credentials/{cred['cred_id']}/revoke",
                       data={"csrf": csrf, "reason": "x", "confirm": "yes"}).status_code == 403
    gone = client.post(f"/console/visits/{task}", data={"csrf": csrf, "outcome": "not_living", "note": "邻居称已搬走"})
    assert gone.status_code == 200 and f"/console/visits/{task}" not in gone.text
    assert client.get("/console/cases").status_code == 403

    sign_in(client, officers["reviewer"], clock)
    cases = client.get("/console/cases")
    assert "邻居称已搬走" in cases.text
    case_csrf = csrf_of(cases.text)
    import re

    case_id = re.search(r'action="/console/cases/(\d+)"', cases.text).group(1)  # type: ignore[union-attr]
    done = client.post(f"/console/cases/{case_id}", data={"csrf": case_csrf, "decision": "suspended",
                                                           "reason": "核实无人居住", "confirm": "yes"})
    assert done.status_code == 200 and 'data-status="suspended"' in done.text and "officer:reviewer1" in done.text
    assert client.get(f"/admin/credentials/{cred['cred_id']}", headers=ADMIN).json()["status"]["code"] == "suspended"


def test_field_officers_see_only_their_district(client: Any, clock: Any, officers: Officers, app: Any) -> None:
    issue(client, seq=71, district="海淀区")
    other = make_officer(app, "field.chaoyang", "field", station="05-P")
    sign_in(client, other, clock)
    page = client.get("/console/visits")
    assert "/console/visits/" not in page.text


def test_hostile_row_numbers_are_not_found(client: Any, clock: Any, officers: Officers) -> None:
    for role, paths in (("field", ("/console/visits/99999999999999999999999", "/console/visits/0")),
                        ("reviewer", ("/console/cases/0", "/console/cases/18446744073709551617"))):
        sign_in(client, officers[role], clock)
        csrf = csrf_of(client.get("/console/search").text)
        for path in paths:
            r = client.post(path, data={"csrf": csrf, "outcome": "confirmed", "decision": "dismissed",
                                        "reason": "x", "confirm": "yes"})
            assert r.status_code == 404, (path, r.status_code)
