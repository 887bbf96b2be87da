"""Administrator endpoints of the applicant platform (admin bearer token, like /admin):

* ``GET /admin/stations``, ``PUT /admin/stations/{station_id}``: the station directory;
* ``GET /admin/calendar``, ``PUT /admin/calendar/{year}``: the holiday table for years
  the calendar library does not know (``{"holidays": [...], "workdays": [...]}``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from issuer.applications.stations import Station
from issuer.http_errors import bad_request, int_field, ok, read_json, text_field
from issuer.officers.roles import Act

from .api_views import station_view
from .web import Desk, Platform

__all__ = ["routes"]


def _dates(data: dict[str, Any], name: str) -> list[date]:
    value = data.get(name, [])
    if not isinstance(value, list) or len(value) > 366 or not all(isinstance(v, str) for v in value):
        raise bad_request(f"{name} 须为日期列表", f"{name} must be a list of dates")
    try:
        return [date.fromisoformat(v) for v in value]
    except ValueError:
        raise bad_request(f"{name} 含有无效日期", f"{name} holds an invalid date") from None


def routes(platform: Platform) -> list[Route]:
    state = platform.state

    async def stations(request: Request) -> Response:
        await state.admin.require(request, Act.VIEW)
        found = await platform.call(lambda d: d.bookings.stations.all())
        return ok({"stations": [station_view(s) for s in found]})

    async def save_station(request: Request) -> Response:
        actor = await state.admin.require(request, Act.STATIONS)
        data = await read_json(request)
        days = data.get("open_days", [1, 2, 3, 4, 5])
        if not isinstance(days, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in days):
            raise bad_request("open_days 须为1至7的整数列表", "open_days must be a list of integers 1..7")
        kind = text_field(data, "kind", limit=8) or ""
        if kind not in ("police", "service"):
            raise bad_request("kind 须为 police 或 service", "kind must be police or service")
        station = Station(
            station_id=request.path_params["station_id"], kind=kind,
            name_zh=text_field(data, "name_zh", limit=50) or "", name_en=text_field(data, "name_en", limit=80) or "",
            district_code=int_field(data, "district_code", low=1, high=16) or 0,
            address=text_field(data, "address", limit=200) or "", open_days=tuple(days),
            capacity_am=int_field(data, "capacity_am", low=0, high=1000) or 0,
            capacity_pm=int_field(data, "capacity_pm", low=0, high=1000) or 0,
            active=data.get("active", True) is not False)
        now = state.now_dt()

        def save(d: Desk) -> Station:
            saved = d.bookings.stations.save(station, today=now.date())
            d.registry.record_audit(actor=actor, operation="station.save", cred_id=None,
                                    details={"station_id": saved.station_id}, now=now)
            return saved

        return ok(station_view(await platform.call(save)))

    async def calendar(request: Request) -> Response:
        await state.admin.require(request, Act.VIEW)
        return ok({"years": await platform.call(lambda d: d.store.calendar.known_years())})

    async def load_year(request: Request) -> Response:
        actor = await state.admin.require(request, Act.STATIONS)
        year_text = request.path_params["year"]
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            raise bad_request("年份无效", "invalid year")
        data = await read_json(request)
        holidays, workdays, now = _dates(data, "holidays"), _dates(data, "workdays"), state.now_dt()
        await platform.call(lambda d: d.store.calendar.load_year(int(year_text), holidays=holidays,
                                                                 workdays=workdays, actor=actor, now=now))
        return ok({"year": int(year_text), "holidays": len(set(holidays)), "workdays": len(set(workdays))})

    return [
        Route("/admin/stations", stations, methods=["GET"]),
        Route("/admin/stations/{station_id}", save_station, methods=["PUT"]),
        Route("/admin/calendar", calendar, methods=["GET"]),
        Route("/admin/calendar/{year}", load_year, methods=["PUT"]),
    ]
