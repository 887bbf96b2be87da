"""Officer administration and legacy imports in the console."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp

from tests.fixtures.legacy_export import synthetic_export
from tests.issuer.console.conftest import Officers, csrf_of, sign_in


def test_admin_creates_resets_and_disables_an_officer(client: Any, clock: Any, officers: Officers) -> None:
    sign_in(client, officers["admin"], clock)
    csrf = csrf_of(client.get("/console/officers").text)
    made = client.post("/console/officers", data={"csrf": csrf, "username": "liu.na", "display_name": "刘娜",
                                                  "role": "clerk", "station": "06-S"})
    assert made.status_code == 200 and "<svg" in made.text
    password = re.search(r'id="new-password">([^<]+)<', made.text).group(1)  # type: ignore[union-attr]
    secret = re.search(r'id="new-totp">([^<]+)<', made.text).group(1)  # type: ignore[union-attr]
    # an administrator decides no permits
    assert client.get("/console/review").status_code == 403

    from starlette.testclient import TestClient

    other = TestClient(client.app)
    clock.advance(30)
    r = other.post("/console/signin", data={"username": "liu.na", "password": password,
                                            "otp": pyotp.TOTP(secret).at(clock()), "next": "/console/"})
    assert r.status_code == 200 and "刘娜" in r.text
    reset = client.post("/console/officers/liu.na/reset", data={"csrf": csrf, "confirm": "yes"})
    assert reset.status_code == 200 and password not in reset.text
    assert other.get("/console/search", follow_redirects=False).status_code == 303  # sessions ended
    assert client.post("/console/officers/liu.na/promote", data={"csrf": csrf, "confirm": "yes"}).status_code == 404
    disabled = client.post("/console/officers/liu.na/disable", data={"csrf": csrf, "confirm": "yes"})
    assert 'data-officer="liu.na"' in disabled.text and "已停用" in disabled.text
    audit = client.app.state.issuer.worker.call_sync(lambda reg, lc: [
        (e.actor, e.operation) for e in reg.audit_entries() if e.operation.startswith("officer.")])
    assert ("officer:admin1", "officer.create") in audit and ("officer:admin1", "officer.disable") in audit


def test_import_shows_progress_and_a_line_numbered_report(client: Any, clock: Any, officers: Officers) -> None:
    export = synthetic_export(120, seed=4, defect_rate=0.1)
    sign_in(client, officers["supervisor"], clock)
    csrf = csrf_of(client.get("/console/imports").text)
    r = client.post("/console/imports", data={"csrf": csrf},
                    files={"file": ("export.csv", export.to_bytes("gbk"), "text/csv")}, follow_redirects=False)
    assert r.status_code == 303
    page = ""
    for _ in range(200):  # the import runs on its own thread; wait for it to finish
        page = client.get(r.headers["location"]).text
        if 'id="import-summary"' in page:
            break
        time.sleep(0.05)
    assert 'value="100"' in page and "gbk" in page
    report = client.get(r.headers["location"] + "/report")
    assert report.text == export.defects_text()
    first_line = min(export.defects)
    assert f"<td>{first_line}</td><td>{export.defects[first_line]}</td>" in page
