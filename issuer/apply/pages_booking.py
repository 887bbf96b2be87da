"""Booking pages: stations of the applicant's district with how busy they are, the
suggested least-busy slot, booking, rebooking and cancelling, and the acceptance
notice (受理通知) as a page and as a printable PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from issuer.applications.model import ApplicationState
from issuer.errors import LifecycleError, NotFoundError

from .accounts import Session
from .i18n import Words, lang_of
from .notice import notice_rows
from .pages_account import signed_in
from .pages_application import own_application, pdf_response
from .web import Desk, Platform, form_text

__all__ = ["booking_routes", "booking_view"]


def booking_view(d: Desk, app_id: str, account_id: str, today: date) -> dict[str, Any]:
    app = own_application(d, app_id, account_id)
    if app.state is not ApplicationState.SUBMITTED or app.district_code is None:
        raise NotFoundError("该申请无需预约", "this application cannot be booked")
    stations = d.bookings.busyness(app.district_code, today)
    return {"app": app, "stations": stations, "suggestion": d.bookings.suggestion(app.district_code, today),
            "appointment": d.bookings.live(app_id),
            "station_by_id": {s.station_id: s for s, _, _ in stations}}


def booking_routes(platform: Platform) -> list[Route]:
    state = platform.state

    async def booking(request: Request) -> Response:
        found = await signed_in(platform, request)
        if isinstance(found, Response):
            return found
        session, _ = found
        words = Words(lang_of(request))
        app_id, me, now = request.path_params["app_id"], session.account, state.now_dt()
        errors: dict[str, str] = {}
        if request.method == "POST":
            form = await platform.posted_form(request, session, max_fields=5)
            day_text, _, half = form_text(form, "slot", 20).partition("|")
            station_id = form_text(form, "station_id", 16)

            def book(d: Desk) -> None:
                own_application(d, app_id, me.account_id)
                try:
                    day = date.fromisoformat(day_text)
                except ValueError:
                    from issuer.errors import InvalidInputError

                    raise InvalidInputError("请选择日期和时段", "Choose a day and a half day") from None
                d.bookings.book(app_id, station_id, day, half, actor=f"applicant:{me.account_id}", now=now)

            try:
                await platform.call(book)
                return RedirectResponse(f"/apply/applications/{app_id}/notice", status_code=303)
            except LifecycleError as exc:
                if isinstance(exc, NotFoundError):
                    raise
                errors = {"_": words.pick(exc.message_zh, exc.message_en)}
        values = await platform.call(lambda d: booking_view(d, app_id, me.account_id, now.date()))
        return platform.render(request, "booking.html", session, errors=errors, status=409 if errors else 200,
                               **values)

    async def cancel(request: Request) -> Response:
        found = await signed_in(platform, request)
        if isinstance(found, Response):
            return found
        session, _ = found
        form = await platform.posted_form(request, session, max_fields=5)
        app_id, me, now = request.path_params["app_id"], session.account, state.now_dt()

        def act(d: Desk) -> None:
            own_application(d, app_id, me.account_id)
            d.bookings.cancel(app_id, actor=f"applicant:{me.account_id}", now=now)

        await platform.call(act)
        return RedirectResponse(f"/apply/applications/{app_id}/booking", status_code=303)

    def _rows(d: Desk, app_id: str, session: Session) -> Any:
        app = own_application(d, app_id, session.account.account_id)
        appt = d.bookings.live(app_id)
        if appt is None:
            raise NotFoundError("尚未预约", "no visit is booked")
        return notice_rows(app, appt, d.bookings.stations.get(appt.station_id)), app

    async def notice(request: Request) -> Response:
        found = await signed_in(platform, request)
        if isinstance(found, Response):
            return found
        session, _ = found
        words = Words(lang_of(request))
        rows, app = await platform.call(lambda d: _rows(d, request.path_params["app_id"], session))
        shown = [(words.pick(*label), words.pick(*value)) for label, value in rows]
        return platform.render(request, "notice.html", session, rows=shown, app=app)

    async def notice_file(request: Request) -> Response:
        found = await signed_in(platform, request)
        if isinstance(found, Response):
            return found
        rows, _ = await platform.call(lambda d: _rows(d, request.path_params["app_id"], found[0]))
        return pdf_response(rows, state.config.cjk_font)

    return [
        Route("/apply/applications/{app_id}/booking", booking, methods=["GET", "POST"]),
        Route("/apply/applications/{app_id}/booking/cancel", cancel, methods=["POST"]),
        Route("/apply/applications/{app_id}/notice", notice, methods=["GET"]),
        Route("/apply/applications/{app_id}/notice.pdf", notice_file, methods=["GET"]),
    ]
