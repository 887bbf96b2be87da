"""Who may do what: the five officer roles and the acts each one is allowed.

One table decides, so a page, the JSON API behind it and the command line refuse
the same things for the same reason. Duties are split on purpose: the clerk who
accepts an application never approves it, a field officer checks addresses but
cannot revoke, and an administrator manages accounts but does not decide permits.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Act", "Role", "allowed", "acts_of"]


class Role(StrEnum):
    """Stable role codes (stored in the registry, shown translated)."""

    CLERK = "clerk"  # 受理
    REVIEWER = "reviewer"  # 审核
    SUPERVISOR = "supervisor"  # 所（站）长
    FIELD = "field"  # 社区民警
    ADMIN = "admin"  # 系统管理员

    @property
    def name_zh(self) -> str:
        return _ROLE_ZH[self]

    @property
    def name_en(self) -> str:
        return _ROLE_EN[self]


_ROLE_ZH = {Role.CLERK: "受理员", Role.REVIEWER: "审核员", Role.SUPERVISOR: "所（站）长",
            Role.FIELD: "社区民警", Role.ADMIN: "系统管理员"}
_ROLE_EN = {Role.CLERK: "Counter clerk", Role.REVIEWER: "Reviewer", Role.SUPERVISOR: "Station supervisor",
            Role.FIELD: "Field officer", Role.ADMIN: "Administrator"}


class Act(StrEnum):
    """Everything an officer can do that the registry records."""

    VIEW = "view"  # search people, open a credential page
    ACCEPT = "accept"  # 受理: accept or refuse an applicant at the counter
    COUNTER_APPLY = "counter_apply"  # enter an application at the counter (no phone, proxies)
    REVIEW = "review"  # 审核: approve or reject an accepted application
    ENDORSE = "endorse"
    CHANGE = "change"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"
    CONVERT = "convert"
    SLIP = "slip"  # print (or reprint) the paper confirmation slip
    ENROL = "enrol"  # enrolment code for a holder's phone
    VISIT = "visit"  # record the outcome of a home visit
    CASE = "case"  # decide a case opened by a home visit
    IMPORT = "import"  # legacy imports
    OFFICERS = "officers"  # create, disable, reset officer accounts
    STATIONS = "stations"  # the station directory and the working-day calendar
    SCAN = "scan"  # sign in to the handheld scanner


_COUNTER = {Act.VIEW, Act.ACCEPT, Act.COUNTER_APPLY, Act.ENDORSE, Act.CHANGE, Act.CONVERT,
            Act.SLIP, Act.ENROL, Act.SCAN}
_REVIEW = {Act.VIEW, Act.REVIEW, Act.SUSPEND, Act.REINSTATE, Act.CASE, Act.SCAN}
_ALLOWED: dict[Role, frozenset[Act]] = {
    Role.CLERK: frozenset(_COUNTER),
    Role.REVIEWER: frozenset(_REVIEW),
    Role.SUPERVISOR: frozenset(_COUNTER | _REVIEW | {Act.REVOKE, Act.IMPORT}),
    Role.FIELD: frozenset({Act.VIEW, Act.VISIT, Act.SCAN}),
    Role.ADMIN: frozenset({Act.VIEW, Act.OFFICERS, Act.IMPORT, Act.STATIONS}),
}


def allowed(role: Role, act: Act) -> bool:
    return act in _ALLOWED[role]


def acts_of(role: Role) -> frozenset[Act]:
    return _ALLOWED[role]
