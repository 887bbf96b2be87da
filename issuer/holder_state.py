"""What the holder's own page says about the permit: its state, why, what to do, and when to endorse.

The page must never show a code beside a state in which no code verifies, and
it must tell the holder where to go. The words live here, once, in both
languages; the page only draws them. A change of address or district (变更)
makes a new version: the phone's older offline passes stop verifying, so the
page is told the version and says the permit was replaced when it moves.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from issuer.lifecycle import LifecyclePolicy
from issuer.model import AuditEntry, Credential, Status
from keys.vocabulary import Label

__all__ = ["REMIND_DAYS", "endorsement_view", "state_view"]

#: How many days before the endorsement window closes the page starts reminding the holder.
REMIND_DAYS = 30

_NEXT: dict[Status, Label] = {
    Status.ACTIVE: Label("可正常出示二维码。", "The code can be shown."),
    Status.SUSPENDED: Label(
        "证件已暂停使用。请携带身份证到居住地派出所或居住证受理窗口了解原因并办理恢复。",
        "The permit is suspended. Take your ID card to the local police station or a permit "
        "counter to learn why and have it reinstated."),
    Status.REVOKED: Label(
        "证件已注销，不能再使用。如需继续居住，请到居住证受理窗口重新申领。",
        "The permit is revoked and cannot be used again. To keep living here, apply again at "
        "a permit counter."),
    Status.EXPIRED: Label(
        "证件已过期，签注期限已过。请到居住证受理窗口重新申领。",
        "The permit has expired and can no longer be endorsed. Apply again at a permit counter."),
}

_NO_REASON = Label("未说明原因", "No reason given")


def _suspend_reason(audit: list[AuditEntry]) -> str | None:
    for entry in reversed(audit):
        if entry.operation == "suspend":
            reason = entry.details.get("reason")
            return str(reason) if reason else None
    return None


def state_view(credential: Credential, audit: list[AuditEntry]) -> dict[str, Any]:
    """The state code, its names, the reason (when one was recorded) and the next step."""
    status = credential.status
    reason: str | None = None
    if status is Status.REVOKED:
        reason = credential.revoke_reason
    elif status is Status.SUSPENDED:
        reason = _suspend_reason(audit)
    view: dict[str, Any] = {
        "code": status.value,
        "zh": status.name_zh,
        "en": status.name_en,
        "next": {"zh": _NEXT[status].zh, "en": _NEXT[status].en},
    }
    if status is not Status.ACTIVE:
        view["reason"] = {"zh": reason, "en": reason} if reason else {"zh": _NO_REASON.zh, "en": _NO_REASON.en}
    return view


def endorsement_view(credential: Credential, policy: LifecyclePolicy, today: date) -> dict[str, Any]:
    """When the 签注 window opens and closes, whether it is open, and whether to remind the holder now."""
    opens, closes = policy.endorsement_window(credential.valid_until)
    live = credential.status in (Status.ACTIVE, Status.SUSPENDED)
    return {
        "opens": opens.isoformat(),
        "closes": closes.isoformat(),
        "open": live and opens <= today <= closes,
        "remind": live and closes - timedelta(days=REMIND_DAYS) <= today <= closes,
        "days_left": (closes - today).days,
    }
