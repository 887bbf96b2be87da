"""A reprinted slip voids the earlier one: each slip has its own status-list index."""

from __future__ import annotations

from typing import Any

from tests.issuer.app_helpers import ADMIN, checker, issue
from tests.issuer.console.conftest import Officers, csrf_of, sign_in
from tests.issuer.test_slip import pdf_qr_text


def _slip_code(client: Any, cred_id: str) -> str:
    r = client.get(f"/admin/credentials/{cred_id}/slip?format=pdf", headers=ADMIN)
    assert r.status_code == 200, r.text
    return pdf_qr_text(r.content)


def test_a_reprint_voids_the_earlier_slip(client: Any, clock: Any) -> None:
    cred = issue(client, seq=81)
    first = _slip_code(client, cred["cred_id"])
    assert checker(client, clock()).verify(first, clock()).reason == "VALID"
    clock.advance(60)
    second = _slip_code(client, cred["cred_id"])
    check = checker(client, clock())
    assert check.verify(first, clock()).reason == "SUPERSEDED"  # the lost or superseded slip
    assert check.verify(second, clock()).reason == "VALID"
    # the live codes of the holder's phone are untouched: the credential kept its version
    assert client.get(f"/admin/credentials/{cred['cred_id']}", headers=ADMIN).json()["version"] == 1


def test_a_slip_follows_its_permit(client: Any, clock: Any) -> None:
    cred = issue(client, seq=82)
    code = _slip_code(client, cred["cred_id"])
    client.post(f"/admin/credentials/{cred['cred_id']}/suspend", headers=ADMIN)
    assert checker(client, clock()).verify(code, clock()).reason == "SUSPENDED"
    client.post(f"/admin/credentials/{cred['cred_id']}/reinstate", headers=ADMIN)
    assert checker(client, clock()).verify(code, clock()).reason == "VALID"
    client.post(f"/admin/credentials/{cred['cred_id']}/change", json={"address": "北京市朝阳区新地址1号"}, headers=ADMIN)
    assert checker(client, clock()).verify(code, clock()).reason == "SUPERSEDED"  # printed for the old version


def test_console_slip_names_the_station_and_the_address(client: Any, clock: Any, officers: Officers) -> None:
    cred = issue(client, seq=83)
    sign_in(client, officers["clerk"], clock)
    page = client.get(f"/console/credentials/{cred['cred_id']}")
    csrf = csrf_of(page.text)
    printed = client.post(f"/console/credentials/{cred['cred_id']}/slip", data={"csrf": csrf, "confirm": "yes"})
    assert printed.status_code == 200
    assert "中关村派出所" in printed.text and "北京市朝阳区建国路88号" in printed.text and "No. 1" in printed.text
    client.post(f"/console/credentials/{cred['cred_id']}/slip", data={"csrf": csrf, "confirm": "yes"})
    slips = client.get(f"/console/credentials/{cred['cred_id']}").text
    assert 'data-serial="1" data-valid="no"' in slips and 'data-serial="2" data-valid="yes"' in slips
    history = client.get(f"/admin/credentials/{cred['cred_id']}/audit", headers=ADMIN).json()["entries"]
    prints = [e for e in history if e["operation"] == "slip.print"]
    assert [e["actor"] for e in prints] == ["officer:clerk1"] * 2 and prints[1]["details"]["voided"] == [1]
