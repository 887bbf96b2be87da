"""Visit tasks for the district's community police, their outcomes, and the cases they open.

Issuing a permit or changing its address creates a task for the district of the
address (issuer.lifecycle calls ``open_task`` in the same transaction). A field
officer records what they found:

* ``confirmed``: the holder lives there; the task is closed;
* ``nobody_home``: the task stays open for another attempt (attempts are counted);
* ``not_living``: the task is closed and a case is opened, which a reviewer or
  supervisor decides: suspend the permit (through the lifecycle, with the case as
  the reason) or dismiss the case.

Every step is written with its audit entry, naming the officer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from issuer.errors import InvalidInputError, InvalidStateError, NotFoundError
from issuer.model import timestamp

if TYPE_CHECKING:
    from issuer.registry import Registry

__all__ = ["Case", "Outcome", "VisitStore", "VisitTask"]

_MAX_NOTE = 500


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    NOT_LIVING = "not_living"
    NOBODY_HOME = "nobody_home"

    @property
    def name_zh(self) -> str:
        return {"confirmed": "核实居住", "not_living": "不在此居住", "nobody_home": "无人在家"}[self.value]

    @property
    def name_en(self) -> str:
        return {"confirmed": "Lives there", "not_living": "Not living there", "nobody_home": "Nobody home"}[self.value]


@dataclass(frozen=True)
class VisitTask:
    task_id: int
    cred_id: str
    district_code: int
    address: str
    cause: str
    created_at: datetime
    created_by: str
    outcome: Outcome | None
    attempts: int
    note: str | None
    closed_at: datetime | None
    closed_by: str | None

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Case:
    case_id: int
    task_id: int
    cred_id: str
    opened_at: datetime
    opened_by: str
    decision: str | None
    reason: str | None
    decided_at: datetime | None
    decided_by: str | None

    @property
    def open(self) -> bool:
        return self.decision is None


_TASK = ("task_id, cred_id, district_code, address, cause, created_at, created_by, outcome, attempts, note, "
         "closed_at, closed_by")
_CASE = "case_id, task_id, cred_id, opened_at, opened_by, decision, reason, decided_at, decided_by"


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _task(r: tuple[Any, ...]) -> VisitTask:
    return VisitTask(int(r[0]), r[1], int(r[2]), r[3], r[4], datetime.fromisoformat(r[5]), r[6],
                     Outcome(r[7]) if r[7] else None, int(r[8]), r[9], _dt(r[10]), r[11])


def _case(r: tuple[Any, ...]) -> Case:
    return Case(int(r[0]), int(r[1]), r[2], datetime.fromisoformat(r[3]), r[4], r[5], r[6], _dt(r[7]), r[8])


class VisitStore:
    """The visit_tasks and visit_cases tables of one registry."""

    def __init__(self, registry: Registry) -> None:
        self._reg = registry

    # ---- tasks ---------------------------------------------------------------

    def open_task(self, cred_id: str, district_code: int, address: str, cause: str, *,
                  actor: str, now: datetime) -> VisitTask:
        """A new task (``cause``: the operation that asked for it, e.g. issue or change).

        An open task of the same credential is closed first: only the newest address counts.
        """
        with self._reg.transaction() as conn:
            at = timestamp(now)
            conn.execute("UPDATE visit_tasks SET closed_at = ?, closed_by = ?, note = coalesce(note, ?) "
                         "WHERE cred_id = ? AND closed_at IS NULL", (at, actor, "superseded", cred_id))
            cur = conn.execute(
                "INSERT INTO visit_tasks (cred_id, district_code, address, cause, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING task_id", (cred_id, district_code, address, cause, at, actor))
            task_id = int(cur.fetchone()[0])
            self._reg.record_audit(actor=actor, operation="visit.open", cred_id=cred_id, now=now,
                                   details={"task": task_id, "cause": cause, "district_code": district_code})
        return self.task(task_id)

    def task(self, task_id: int) -> VisitTask:
        row = self._reg.connection.execute(f"SELECT {_TASK} FROM visit_tasks WHERE task_id = ?",
                                           (task_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"核实任务 {task_id} 不存在", f"visit task {task_id} not found")
        return _task(row)

    def open_tasks(self, district_code: int) -> list[VisitTask]:
        """The district's open tasks, oldest first (the order a patrol works through them)."""
        rows = self._reg.connection.execute(
            f"SELECT {_TASK} FROM visit_tasks WHERE district_code = ? AND closed_at IS NULL "
            "ORDER BY created_at, task_id", (district_code,)).fetchall()
        return [_task(r) for r in rows]

    def tasks_of(self, cred_id: str) -> list[VisitTask]:
        rows = self._reg.connection.execute(
            f"SELECT {_TASK} FROM visit_tasks WHERE cred_id = ? ORDER BY task_id", (cred_id,)).fetchall()
        return [_task(r) for r in rows]

    def record(self, task_id: int, outcome: Outcome | str, note: str | None, *, actor: str,
               now: datetime) -> tuple[VisitTask, Case | None]:
        """The outcome of one visit; ``not_living`` also opens a case (returned)."""
        try:
            result = Outcome(outcome)
        except ValueError:
            raise InvalidInputError(f"未知的核实结果：{outcome}", f"unknown visit outcome: {outcome}") from None
        text = (note or "").strip() or None
        if text is not None and len(text) > _MAX_NOTE:
            raise InvalidInputError("备注过长", "note is too long")
        task = self.task(task_id)
        if not task.open:
            raise InvalidStateError("该核实任务已结束", "this visit task is closed")
        at = timestamp(now)
        case_id: int | None = None
        with self._reg.transaction() as conn:
            closes = result is not Outcome.NOBODY_HOME
            conn.execute(
                "UPDATE visit_tasks SET outcome = ?, attempts = attempts + 1, note = ?, closed_at = ?, "
                "closed_by = ? WHERE task_id = ?",
                (result.value, text, at if closes else None, actor if closes else None, task_id))
            if result is Outcome.NOT_LIVING:
                cur = conn.execute(
                    "INSERT INTO visit_cases (task_id, cred_id, opened_at, opened_by) VALUES (?, ?, ?, ?) "
                    "RETURNING case_id", (task_id, task.cred_id, at, actor))
                case_id = int(cur.fetchone()[0])
            self._reg.record_audit(actor=actor, operation="visit.outcome", cred_id=task.cred_id, now=now,
                                   details={"task": task_id, "outcome": result.value,
                                            **({"case": case_id} if case_id else {})})
        return self.task(task_id), (self.case(case_id) if case_id else None)

    # ---- cases ----------------------------------------------------------------

    def case(self, case_id: int) -> Case:
        row = self._reg.connection.execute(f"SELECT {_CASE} FROM visit_cases WHERE case_id = ?",
                                           (case_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"案件 {case_id} 不存在", f"case {case_id} not found")
        return _case(row)

    def open_cases(self) -> list[Case]:
        rows = self._reg.connection.execute(
            f"SELECT {_CASE} FROM visit_cases WHERE decision IS NULL ORDER BY opened_at, case_id").fetchall()
        return [_case(r) for r in rows]

    def cases_of(self, cred_id: str) -> list[Case]:
        rows = self._reg.connection.execute(
            f"SELECT {_CASE} FROM visit_cases WHERE cred_id = ? ORDER BY case_id", (cred_id,)).fetchall()
        return [_case(r) for r in rows]

    def decide(self, case_id: int, decision: str, reason: str, *, actor: str, now: datetime) -> Case:
        """Record the decision (``suspended`` or ``dismissed``); the caller suspends through the lifecycle."""
        if decision not in ("suspended", "dismissed"):
            raise InvalidInputError("未知的处理决定", "unknown decision")
        why = reason.strip()
        if not why or len(why) > 200:
            raise InvalidInputError("处理理由须为1至200个字符", "reason must be 1 to 200 characters")
        case = self.case(case_id)
        if not case.open:
            raise InvalidStateError("该案件已处理", "this case has been decided")
        with self._reg.transaction() as conn:
            conn.execute("UPDATE visit_cases SET decision = ?, reason = ?, decided_at = ?, decided_by = ? "
                         "WHERE case_id = ?", (decision, why, timestamp(now), actor, case_id))
            self._reg.record_audit(actor=actor, operation="case.decide", cred_id=case.cred_id, now=now,
                                   details={"case": case_id, "decision": decision})
        return self.case(case_id)
