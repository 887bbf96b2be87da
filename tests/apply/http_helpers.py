"""Driving the applicant platform over HTTP: accounts through the JSON API, the
officials' side through the store's API with named officers."""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from typing import Any

from issuer.applications.store import ApplicationStore
from issuer.lifecycle import Lifecycle
from keys.timekeeping import BEIJING
from issuer.registry import Registry
from tests.issuer.idgen import make_id

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

API = "/apply/api/v1"
PASSWORD = "secret12345"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLERK = "officer:clerk-wang"
REVIEWER = "officer:reviewer-li"


def sms_code(app: Any, phone: str) -> str:
    """The last code texted to ``phone``, read from the development outbox."""
    texts = [m.text for m in app.state.issuer.sms.messages(phone)]
    assert texts, f"no text message to {phone}"
    found = re.search(r"验证码 (\d{6})", texts[-1])
    assert found, texts[-1]
    return found.group(1)


def phone_of(seq: int) -> str:
    return f"139{seq:08d}"


def register(client: TestClient, app: Any, *, seq: int = 1, name: str = "王芳") -> dict[str, str]:
    """A new account signed in on ``client``; the headers its writes need."""
    phone = phone_of(seq)
    r = client.post(f"{API}/sms-codes", json={"purpose": "register", "phone": phone})
    assert r.status_code == 202, r.text
    r = client.post(f"{API}/accounts", json={"name": name, "id_number": make_id(seq=seq), "phone": phone,
                                             "password": PASSWORD, "sms_code": sms_code(app, phone)})
    assert r.status_code == 201, r.text
    return {"X-CSRF-Token": r.json()["csrf"]}


def permit_application(client: TestClient, headers: dict[str, str], *, district: int = 6) -> str:
    """A residence-permit application with tax proof, submitted; returns its reference."""
    r = client.post(f"{API}/applications", json={"kind": "residence_permit"}, headers=headers)
    assert r.status_code == 201, r.text
    app_id = r.json()["app_id"]
    r = client.patch(f"{API}/applications/{app_id}", headers=headers, json={
        "district_code": district, "address": "北京市海淀区学院路30号1单元", "residence_since": "2025-01-01",
        "proof_basis": "tax", "proof_from": "2026-01", "proof_to": "2026-10"})
    assert r.status_code == 200, r.text
    r = client.post(f"{API}/applications/{app_id}/evidence", headers=headers, data={"kind": "tax"},
                    files={"file": ("个税.pdf", PDF, "application/octet-stream")})
    assert r.status_code == 201, r.text
    for step in ("preview", "submit"):
        r = client.post(f"{API}/applications/{app_id}/{step}", headers=headers)
        assert r.status_code == 200, r.text
    return str(app_id)


def officials_approve(app: Any, app_id: str, now: datetime | None = None) -> str:
    """A counter clerk accepts, a reviewer approves (the store's API for officials); the cred_id."""
    state = app.state.issuer
    when = now or state.now_dt()

    def run(reg: Registry, lc: Lifecycle) -> str:
        store = ApplicationStore(reg, sms=state.sms)
        store.accept(app_id, officer=CLERK, station_id="06-P", checked=["id_card", "tax"], now=when)
        _, cred = store.approve(app_id, officer=REVIEWER, lifecycle=lc, now=when)
        return cred.cred_id

    return str(state.worker.call_sync(run))


def beijing(year: int, month: int, day: int, hour: int = 10) -> float:
    return datetime(year, month, day, hour, tzinfo=BEIJING).timestamp()
