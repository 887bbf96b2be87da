"""Administrator endpoints (stations, holiday table) and simultaneous bookings over HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.apply.http_helpers import API, permit_application, register
from tests.issuer.app_helpers import ADMIN, Clock, TestClient


def test_station_directory_and_calendar_need_the_admin_token(client: TestClient) -> None:
    assert client.get("/admin/stations").status_code == 401
    stations = client.get("/admin/stations", headers=ADMIN).json()["stations"]
    assert len(stations) == 32 and {s["district_code"] for s in stations} == set(range(1, 17))
    new = {"kind": "service", "name_zh": "上地流管站", "name_en": "Shangdi Service Station", "district_code": 6,
           "address": "北京市海淀区上地信息路1号", "open_days": [1, 2, 3, 4, 5, 6], "capacity_am": 2, "capacity_pm": 0}
    r = client.put("/admin/stations/06-S2", json=new, headers=ADMIN)
    assert r.status_code == 200 and r.json()["capacity"] == {"am": 2, "pm": 0}
    assert client.put("/admin/stations/06-S3", json={**new, "district_code": 17}, headers=ADMIN).status_code == 400
    assert client.put("/admin/stations/06-S3", json={**new, "open_days": ["mon"]}, headers=ADMIN).status_code == 400
    audit = client.get("/admin/calendar", headers=ADMIN).json()
    assert audit == {"years": []}
    r = client.put("/admin/calendar/2027", headers=ADMIN, json={"holidays": ["2027-01-01"], "workdays": []})
    assert r.status_code == 200 and client.get("/admin/calendar", headers=ADMIN).json() == {"years": [2027]}
    r = client.put("/admin/calendar/2026", headers=ADMIN, json={"holidays": [], "workdays": []})
    assert r.status_code == 400  # the library's year is not overridden
    r = client.put("/admin/calendar/2027", headers=ADMIN, json={"holidays": ["someday"]})
    assert r.status_code == 400


def test_simultaneous_http_bookings_never_exceed_the_places(client: TestClient, app: Any, clock: Clock) -> None:
    people = []
    for seq in range(1, 9):
        client.cookies.clear()
        headers = register(client, app, seq=seq)
        people.append((dict(client.cookies), headers, permit_application(client, headers)))
    day = client.get(f"{API}/applications/{people[-1][2]}/stations").json()["stations"][0]["slots"][0]["day"]

    async def all_at_once() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            calls = [http.put(f"{API}/applications/{app_id}/appointment",
                              headers={**headers, "Cookie": f"apply_session={cookies['apply_session']}"},
                              json={"station_id": "06-S", "day": day, "half": "am"})
                     for cookies, headers, app_id in people]
            return [r.status_code for r in await asyncio.gather(*calls)]

    statuses = asyncio.run(all_at_once())
    assert sorted(statuses) == [200] * 4 + [409] * 4  # 流管站: four places a morning
    assert day == "2026-11-24"  # the first open morning after Monday 23 November
