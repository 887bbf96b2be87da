"""Home visits and the cases they open, in the console.

A field officer sees the open visit tasks of their own district, oldest first, and
records the outcome of each visit. "Not living there" opens a case; a reviewer or
supervisor decides it: suspending the permit (through the lifecycle, with the
case named in the reason, in the same transaction as the decision) or dismissing it.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from issuer.errors import ForbiddenError, InvalidInputError, NotFoundError
from issuer.lifecycle import Lifecycle
from issuer.model import Credential
from issuer.officers.roles import Act
from issuer.registry import Registry
from issuer.visits.store import Case, Outcome, VisitStore, VisitTask

from .web import Console, Page, field

__all__ = ["decide_case", "routes"]


def decide_case(reg: Registry, lc: Lifecycle, case_id: int, decision: str, reason: str, *, actor: str,
                now: Any) -> Case:
    """Record the decision; "suspended" also suspends the permit, in one transaction."""
    store = VisitStore(reg)
    with reg.transaction():
        case = store.decide(case_id, decision, reason, actor=actor, now=now)
        if decision == "suspended":
            lc.suspend(case.cred_id, reason=f"入户核实：不在此居住（案件 {case_id}）{reason.strip()}"[:200],
                       actor=actor, now=now)
    return case


def _row_id(page: Page, name: str) -> int:
    """A row number from the path; anything beyond SQLite's integers is simply not found."""
    value = int(page.request.path_params[name])
    if not 0 < value < 2**63:
        raise NotFoundError(f"编号 {value} 不存在", f"{name} {value} not found")
    return value


def routes(console: Console) -> list[BaseRoute]:
    state = console.state

    @console.page(Act.VISIT)
    async def tasks(page: Page) -> Response:
        district = page.officer.district_code

        def run(reg: Registry, lc: Lifecycle) -> list[tuple[VisitTask, Credential | None]]:
            today = console.now().date()
            return [(t, reg.get(t.cred_id, today=today)) for t in VisitStore(reg).open_tasks(district)]

        rows = await state.worker.call(run)
        return console.render(page.request, "visits.html", page, rows=rows, outcomes=list(Outcome))

    @console.page(Act.VISIT)
    async def record(page: Page) -> Response:
        task_id = _row_id(page, "task_id")
        form = await console.form(page)
        outcome = field(form, "outcome", limit=20)
        note = field(form, "note", required=False, limit=500) or None
        now, actor, district = console.now(), page.actor, page.officer.district_code

        def run(reg: Registry, lc: Lifecycle) -> tuple[VisitTask, Case | None]:
            store = VisitStore(reg)
            if store.task(task_id).district_code != district:
                raise ForbiddenError("该任务不属于本区", "this task belongs to another district")
            return store.record(task_id, outcome, note, actor=actor, now=now)

        _, case = await state.worker.call(run)
        return RedirectResponse(f"/console/visits?done={'case' if case else 'recorded'}", 303)

    @console.page(Act.CASE)
    async def cases(page: Page) -> Response:
        def run(reg: Registry, lc: Lifecycle) -> list[tuple[Case, VisitTask, Credential | None]]:
            store, today = VisitStore(reg), console.now().date()
            return [(c, store.task(c.task_id), reg.get(c.cred_id, today=today)) for c in store.open_cases()]

        rows = await state.worker.call(run)
        return console.render(page.request, "cases.html", page, rows=rows)

    @console.page(Act.CASE)
    async def decide(page: Page) -> Response:
        case_id = _row_id(page, "case_id")
        form = await console.form(page)
        if form.get("confirm") != "yes":
            raise InvalidInputError("请勾选确认", "tick the confirmation box")
        decision = field(form, "decision", limit=20)
        reason = field(form, "reason", limit=150)
        if decision == "suspended" and not page.officer.may(Act.SUSPEND):
            raise ForbiddenError("无权暂停证件", "you may not suspend a permit")
        now, actor = console.now(), page.actor
        case = await state.worker.call(lambda reg, lc: decide_case(reg, lc, case_id, decision, reason,
                                                                   actor=actor, now=now))
        return RedirectResponse(f"/console/credentials/{case.cred_id}?done={'suspend' if decision == 'suspended' else ''}",
                                303)

    return [
        Route("/console/visits", tasks, methods=["GET"]),
        Route("/console/visits/{task_id:int}", record, methods=["POST"]),
        Route("/console/cases", cases, methods=["GET"]),
        Route("/console/cases/{case_id:int}", decide, methods=["POST"]),
    ]
