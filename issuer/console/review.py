"""The review queue (审核): accepted applications by deadline, overdue first; approve or reject.

The deadline is the applicant platform's (8 working days after acceptance, from its
calendar); an application whose deadline could not be computed (a year the
calendar does not know) leads the queue, flagged. Approval issues, endorses,
changes or converts through the lifecycle in the same transaction
(issuer.applications). The officer who accepted an application cannot decide it
(SEPARATION_OF_DUTIES), and only reviewers and supervisors may decide at all.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from issuer.applications.model import Application
from issuer.applications.store import ApplicationStore
from issuer.errors import InvalidInputError
from issuer.lifecycle import Lifecycle
from issuer.model import Credential
from issuer.officers.roles import Act
from issuer.registry import Registry

from .web import Console, Page, field

__all__ = ["routes"]


def routes(console: Console) -> list[BaseRoute]:
    state = console.state

    @console.page(Act.REVIEW)
    async def queue(page: Page) -> Response:
        district = page.officer.district_code
        today = console.now().date()

        def run(reg: Registry, lc: Lifecycle) -> list[Application]:
            return ApplicationStore(reg).review_queue(district_code=district)

        rows = await state.worker.call(run)
        return console.render(page.request, "review.html", page, rows=rows, today=today)

    @console.page(Act.REVIEW)
    async def approve(page: Page) -> Response:
        app_id = str(page.request.path_params["app_id"])[:40]
        form = await console.form(page)
        if form.get("confirm") != "yes":
            raise InvalidInputError("请勾选确认", "tick the confirmation box")
        now, actor = console.now(), page.actor

        def run(reg: Registry, lc: Lifecycle) -> tuple[Application, Credential]:
            return ApplicationStore(reg, sms=state.sms).approve(app_id, officer=actor, lifecycle=lc, now=now)

        _, cred = await state.worker.call(run)
        return RedirectResponse(f"/console/credentials/{cred.cred_id}?done=approved", 303)

    @console.page(Act.REVIEW)
    async def reject(page: Page) -> Response:
        app_id = str(page.request.path_params["app_id"])[:40]
        form = await console.form(page)
        reason = field(form, "reason", limit=200)
        now, actor = console.now(), page.actor

        def run(reg: Registry, lc: Lifecycle) -> Any:
            return ApplicationStore(reg, sms=state.sms).reject(app_id, officer=actor, reason=reason, now=now)

        app = await state.worker.call(run)
        return RedirectResponse(f"/console/applications/{app.app_id}?done=rejected", 303)

    return [
        Route("/console/review", queue, methods=["GET"]),
        Route("/console/applications/{app_id}/approve", approve, methods=["POST"]),
        Route("/console/applications/{app_id}/reject", reject, methods=["POST"]),
    ]
