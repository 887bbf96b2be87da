"""Console test kit: officers of each role at one station, and signing them in.

Officers are created straight in the app's registry (as ``python -m issuer officer
add`` would); signing in goes through the real form with a TOTP code computed for
the test clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest

from issuer.officers.model import NewOfficerSecrets
from issuer.officers.store import OfficerStore

STATION = "06-P"  # 中关村派出所, 海淀区 (district 6)


@dataclass
class Officers:
    app: Any
    by_role: dict[str, NewOfficerSecrets]

    def __getitem__(self, role: str) -> NewOfficerSecrets:
        return self.by_role[role]


def make_officer(app: Any, username: str, role: str, *, station: str = STATION, name: str = "") -> NewOfficerSecrets:
    state = app.state.issuer
    now = state.now_dt()
    return state.worker.call_sync(lambda reg, lc: OfficerStore(reg).create(
        username, name or username, role, station, actor="officer:setup", now=now))


@pytest.fixture
def officers(app: Any) -> Officers:
    names = {"clerk": "王立", "reviewer": "李审", "supervisor": "张所长", "field": "赵民警", "admin": "管理员"}
    return Officers(app, {role: make_officer(app, f"{role}1", role, name=name) for role, name in names.items()})


def otp_for(secrets: NewOfficerSecrets, now: float) -> str:
    return pyotp.TOTP(secrets.totp_secret).at(now)


def sign_in(client: Any, secrets: NewOfficerSecrets, clock: Any) -> None:
    """Sign ``secrets``' officer in on ``client`` (the clock moves 30 s so each code is fresh)."""
    clock.advance(30)
    r = client.post("/console/signin", data={"username": secrets.officer.username, "password": secrets.password,
                                             "otp": otp_for(secrets, clock()), "next": "/console/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def booked_application(app: Any, *, seq: int, name: str = "王芳", station: str = STATION) -> str:
    """An online registration-card application submitted yesterday and booked for today (am)."""
    from datetime import date, timedelta

    from issuer.applications.appointments import Bookings
    from issuer.applications.store import ApplicationStore
    from tests.issuer.idgen import make_id

    state = app.state.issuer
    yesterday = state.now_dt() - timedelta(days=1)
    today = state.now_dt().date()

    def run(reg: Any, lc: Any) -> str:
        store = ApplicationStore(reg)
        new = store.create(kind="registration_card", holder_name=name, id_number=make_id(seq=seq), phone=None,
                           account_id=f"acct-{seq}", actor="applicant:test", now=yesterday)
        store.update(new.app_id, actor="applicant:test", now=yesterday, district_code=6,
                     address="北京市海淀区学院路30号1单元", residence_since=date(2026, 5, 1))
        store.preview(new.app_id, actor="applicant:test", now=yesterday)
        store.submit(new.app_id, actor="applicant:test", now=yesterday)
        Bookings(store).book(new.app_id, station, today, "am", actor="applicant:test", now=yesterday)
        return str(new.app_id)

    return str(state.worker.call_sync(run))
