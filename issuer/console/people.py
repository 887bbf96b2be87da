"""Finding a person and working on their credential: the page and every lifecycle act.

Search is by ID number, card number, credential id or exact name. The credential
page shows status, versions, devices with their last use, printed slips, home
visits, the application it was issued on (and who applied, for a proxy) and the
whole audit history. Acts are posted forms with a confirmation box; each goes
through issuer.lifecycle under the officer's name, so the rules are the same as
on the command line and the JSON API.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from issuer import slip
from issuer.applications.store import ApplicationStore
from issuer.device_use import last_uses
from issuer.errors import InvalidInputError
from issuer.lifecycle import Lifecycle, LifecycleAct
from issuer.model import Credential
from issuer.officers.roles import Act
from issuer.registry import Registry
from issuer.slip_register import SlipRegister
from issuer.tokens import ENROLMENT_TTL
from issuer.visits.store import VisitStore

from .web import Console, Page, field

__all__ = ["routes"]

_ID = re.compile(r"\d{17}[\dX]")
_CRED = re.compile(r"[0-9a-f]{16}")
_ACTS = {"endorse": Act.ENDORSE, "change": Act.CHANGE, "suspend": Act.SUSPEND, "reinstate": Act.REINSTATE,
         "revoke": Act.REVOKE, "convert": Act.CONVERT}
SLIP_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def find(reg: Registry, query: str, today: Any) -> list[Credential]:
    """Credentials matching an ID number, card number, credential id or exact name."""
    q = query.strip()
    if not q:
        return []
    found: list[Credential] = []
    if _ID.fullmatch(q.upper()):
        found += reg.find_by_id_number(q.upper(), today=today)
    if _CRED.fullmatch(q.lower()):
        cred = reg.get(q.lower(), today=today)
        found += [cred] if cred else []
    card = reg.get_by_card_number(q, today=today)
    found += [card] if card else []
    found += reg.list_credentials(today=today, name=q, limit=100)
    return list({c.cred_id: c for c in found}.values())


def credential_page_data(reg: Registry, lc: Lifecycle, cred_id: str, actor: str, now: Any) -> dict[str, Any]:
    cred = lc.show(cred_id, actor=actor, now=now)
    applications = [a for a in ApplicationStore(reg).for_id_number(cred.id_number)
                    if a.issued_cred_id == cred.cred_id]
    return {
        "cred": cred,
        "versions": reg.versions(cred.cred_id),
        "devices": reg.devices.list_devices(cred.cred_id),
        "last_use": last_uses(reg, cred.cred_id),
        "slips": SlipRegister(reg).of_credential(cred.cred_id),
        "visits": VisitStore(reg).tasks_of(cred.cred_id),
        "cases": VisitStore(reg).cases_of(cred.cred_id),
        "applications": applications,
        "history": reg.audit_entries(cred.cred_id),
    }


def routes(console: Console) -> list[BaseRoute]:
    state = console.state

    @console.page(Act.VIEW)
    async def search(page: Page) -> Response:
        q = page.request.query_params.get("q", "")[:64]
        today = console.now().date()
        results = await state.worker.call(lambda reg, lc: find(reg, q, today)) if q.strip() else []
        return console.render(page.request, "search.html", page, q=q, results=results, searched=bool(q.strip()))

    @console.page(Act.VIEW)
    async def credential(page: Page) -> Response:
        cred_id = str(page.request.path_params["cred_id"])[:32]
        now = console.now()
        data = await state.worker.call(lambda reg, lc: credential_page_data(reg, lc, cred_id, page.actor, now))
        return console.render(page.request, "credential.html", page, **data)

    def act(name: str) -> Any:
        @console.page(_ACTS[name])
        async def endpoint(page: Page) -> Response:
            cred_id = str(page.request.path_params["cred_id"])[:32]
            form = await console.form(page)
            if form.get("confirm") != "yes":
                raise InvalidInputError("请勾选确认", "tick the confirmation box")
            now, actor = console.now(), page.actor
            if name == "change":
                act = LifecycleAct(name, address=field(form, "address", required=False) or None,
                                   district=field(form, "district", required=False, limit=16) or None)
            elif name in ("suspend", "revoke"):
                act = LifecycleAct(name, reason=field(form, "reason", limit=200))
            else:
                act = LifecycleAct(name)
            cred = await state.worker.call(lambda reg, lc: act.perform(lc, cred_id, actor=actor, now=now))
            return RedirectResponse(f"/console/credentials/{cred.cred_id}?done={name}", 303)

        endpoint.__name__ = name
        return endpoint

    @console.page(Act.SLIP)
    async def print_slip(page: Page) -> Response:
        cred_id = str(page.request.path_params["cred_id"])[:32]
        form = await console.form(page)
        if form.get("confirm") != "yes":
            raise InvalidInputError("请勾选确认", "tick the confirmation box")
        now, actor, station = state.now(), page.actor, page.station

        def run(reg: Registry, lc: Lifecycle) -> slip.Slip:
            return slip.issue_slip(reg, lc, state.minter, cred_id, now=now, actor=actor,
                                   office=state.config.office_name, station=station)

        issued = await state.worker.call(run)
        return HTMLResponse(slip.slip_html(issued), headers={"Cache-Control": "no-store",
                                                             "Content-Security-Policy": SLIP_CSP})

    @console.page(Act.ENROL)
    async def enrolment(page: Page) -> Response:
        cred_id = str(page.request.path_params["cred_id"])[:32]
        await console.form(page)
        now, actor = console.now(), page.actor

        def run(reg: Registry, lc: Lifecycle) -> tuple[Credential, str]:
            cred = lc.get(cred_id, today=now.date())
            return cred, reg.devices.create_enrolment(cred.cred_id, now, actor=actor)

        cred, code = await state.worker.call(run)
        return console.render(page.request, "enrolment.html", page, cred=cred, code=code,
                              minutes=int(ENROLMENT_TTL.total_seconds() // 60))

    return [
        Route("/console/search", search, methods=["GET"]),
        Route("/console/credentials/{cred_id}", credential, methods=["GET"]),
        *[Route(f"/console/credentials/{{cred_id}}/{name}", act(name), methods=["POST"]) for name in _ACTS],
        Route("/console/credentials/{cred_id}/slip", print_slip, methods=["POST"]),
        Route("/console/credentials/{cred_id}/enrolment", enrolment, methods=["POST"]),
    ]

