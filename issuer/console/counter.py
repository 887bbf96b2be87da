"""The counter: today's appointments, accepting or refusing an applicant, counter applications.

Accepting means comparing the ID card with the online application (the clerk types
or swipes the card's number and name; they must match what was applied with),
recording the evidence seen, and moving the application to ``accepted`` through
issuer.applications (which sets the working-day deadline). A counter application
(no smartphone, or by proxy) is entered, checked by the same rules as online,
submitted and accepted in one go; a reviewer then decides it like any other.
"""

from __future__ import annotations

import hmac
from datetime import date
from typing import Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from issuer.applications.appointments import Bookings
from issuer.applications.model import Application, ApplicationKind
from issuer.applications.store import ApplicationStore
from issuer.errors import InvalidInputError
from keys.edge.errors import HttpError, define
from issuer.idnumber import IdNumberError, validate_id_number
from issuer.lifecycle import Lifecycle, resolve_district
from issuer.officers.roles import Act
from issuer.registry import Registry

from .proxies import BASES, RELATIONSHIPS, proxy_record
from .web import Console, Page, field

define("ID_CARD_MISMATCH", 409, "身份证信息与申请信息不一致，请核实或不予受理",
       "The ID card does not match the application: check again or refuse")

__all__ = ["CHECKS", "routes"]

#: what a clerk can tick as seen at the counter
CHECKS = {
    "id_card": ("居民身份证原件", "ID card (original)"),
    "lease": ("住所证明（租赁合同、房产证明）", "proof of address (lease, deed)"),
    "tax": ("个人所得税缴纳证明", "income tax records"),
    "social_insurance": ("社会保险缴纳证明", "social insurance records"),
    "relationship": ("代办关系证明", "proof of the proxy's relationship"),
    "mandate": ("书面委托书", "written mandate"),
    "photo": ("照片", "photo"),
}


def routes(console: Console) -> list[BaseRoute]:
    state = console.state

    @console.page(None)
    async def home(page: Page) -> Response:
        officer = page.officer
        if not officer.may(Act.ACCEPT):
            target = ("/console/review" if officer.may(Act.REVIEW) else "/console/visits" if officer.may(Act.VISIT)
                      else "/console/officers" if officer.may(Act.OFFICERS) else "/console/search")
            return RedirectResponse(target, 303)
        today = console.now().date()
        rows = await state.worker.call(
            lambda reg, lc: Bookings(ApplicationStore(reg)).for_station_day(officer.station, today))
        return console.render(page.request, "today.html", page, rows=rows, today=today)

    @console.page(Act.VIEW)
    async def application(page: Page) -> Response:
        app_id = str(page.request.path_params["app_id"])[:40]

        def run(reg: Registry, lc: Lifecycle) -> dict[str, Any]:
            store = ApplicationStore(reg)
            app = store.get(app_id)
            return {"app": app, "timeline": store.timeline(app_id), "evidence": sorted(store.evidence_kinds(app_id)),
                    "overdue": app.deadline is not None and app.deadline < console.now().date()}

        data = await state.worker.call(run)
        return console.render(page.request, "application.html", page, checks=CHECKS, **data)

    @console.page(Act.ACCEPT)
    async def accept(page: Page) -> Response:
        app_id = str(page.request.path_params["app_id"])[:40]
        form = await console.form(page)
        card_id = field(form, "card_id_number", limit=18).upper()
        card_name = field(form, "card_name", limit=50)
        checked = [c for c in form.getlist("checked") if isinstance(c, str) and c in CHECKS]
        if "id_card" not in checked:
            raise InvalidInputError("须查验居民身份证原件", "the ID card must be checked")
        note = field(form, "note", required=False, limit=200) or None
        now, actor, station = console.now(), page.actor, page.officer.station

        def run(reg: Registry, lc: Lifecycle) -> Application:
            store = ApplicationStore(reg, sms=state.sms)
            app = store.get(app_id)
            same_id = hmac.compare_digest(card_id.encode(), app.id_number.encode())
            if not same_id or card_name != app.holder_name:
                raise HttpError("ID_CARD_MISMATCH", zh="身份证信息与申请信息不一致，请核实或不予受理",
                               en="the ID card does not match the application: check again or refuse")
            return store.accept(app_id, officer=actor, station_id=station, checked=checked, now=now, note=note)

        app = await state.worker.call(run)
        return RedirectResponse(f"/console/applications/{app.app_id}?done=accepted", 303)

    @console.page(Act.ACCEPT)
    async def refuse(page: Page) -> Response:
        app_id = str(page.request.path_params["app_id"])[:40]
        form = await console.form(page)
        reason = field(form, "reason", limit=200)
        now, actor = console.now(), page.actor
        app = await state.worker.call(lambda reg, lc: ApplicationStore(reg, sms=state.sms).refuse(
            app_id, officer=actor, reason=reason, now=now))
        return RedirectResponse(f"/console/applications/{app.app_id}?done=refused", 303)

    @console.page(Act.COUNTER_APPLY)
    async def counter_form(page: Page) -> Response:
        return console.render(page.request, "counter_new.html", page, kinds=list(ApplicationKind), bases=BASES,
                              relationships=RELATIONSHIPS, checks=CHECKS)

    @console.page(Act.COUNTER_APPLY)
    async def counter_submit(page: Page) -> Response:
        form = await console.form(page)
        today = console.now().date()
        kind = field(form, "kind", limit=32)
        name = field(form, "holder_name", limit=50)
        try:
            id_number = validate_id_number(field(form, "id_number", limit=18).upper(), today=today)
        except IdNumberError as exc:
            raise InvalidInputError(f"身份号码无效（{exc.code}）", f"invalid ID number ({exc.code})") from None
        phone = field(form, "phone", required=False, limit=20) or None
        fields: dict[str, Any] = {}
        district = field(form, "district", required=False, limit=16)
        if district:
            fields["district_code"] = resolve_district(district).code
        for name_ in ("address", "proof_basis", "proof_from", "proof_to", "target_cred_id"):
            value = field(form, name_, required=False, limit=200)
            if value:
                fields[name_] = value
        since = field(form, "residence_since", required=False, limit=10)
        if since:
            try:
                fields["residence_since"] = date.fromisoformat(since)
            except ValueError:
                raise InvalidInputError("居住起始日期须为 YYYY-MM-DD", "living-there-since must be YYYY-MM-DD") from None
        proxy = None
        if field(form, "proxy_basis", required=False, limit=32):
            proxy = proxy_record(
                basis=field(form, "proxy_basis", limit=32), applicant_id=id_number,
                name=field(form, "proxy_name", required=False, limit=50),
                id_number=field(form, "proxy_id_number", required=False, limit=18),
                relationship=field(form, "proxy_relationship", required=False, limit=32),
                relationship_proof=field(form, "proxy_proof", required=False, limit=200),
                mandate=field(form, "proxy_mandate", required=False, limit=200), today=today)
        checked = [c for c in form.getlist("checked") if isinstance(c, str) and c in CHECKS]
        if "id_card" not in checked:
            raise InvalidInputError("须查验申请人居民身份证原件", "the applicant's ID card must be checked")
        if proxy is not None and "relationship" not in checked:
            raise InvalidInputError("须查验代办关系证明", "the proof of relationship must be checked")
        if proxy is not None and proxy["mandate"] and "mandate" not in checked:
            raise InvalidInputError("须查验书面委托书", "the written mandate must be checked")
        now, actor, station = console.now(), page.actor, page.officer.station

        def run(reg: Registry, lc: Lifecycle) -> Application:
            store = ApplicationStore(reg, sms=state.sms)
            with reg.transaction():
                app = store.create(kind=kind, holder_name=name, id_number=id_number, phone=phone, account_id=None,
                                   actor=actor, now=now, channel="counter", proxy=proxy)
                store.update(app.app_id, actor=actor, now=now, **fields)
                store.preview(app.app_id, actor=actor, now=now)
                store.submit(app.app_id, actor=actor, now=now)
                return store.accept(app.app_id, officer=actor, station_id=station, checked=checked, now=now,
                                    note="窗口申请 counter application" + ("（代办 by proxy）" if proxy else ""))

        app = await state.worker.call(run)
        return RedirectResponse(f"/console/applications/{app.app_id}?done=accepted", 303)

    return [
        Route("/console/", home, methods=["GET"]),
        Route("/console/applications/{app_id}", application, methods=["GET"]),
        Route("/console/applications/{app_id}/accept", accept, methods=["POST"]),
        Route("/console/applications/{app_id}/refuse", refuse, methods=["POST"]),
        Route("/console/counter/new", counter_form, methods=["GET"]),
        Route("/console/counter/new", counter_submit, methods=["POST"]),
    ]

