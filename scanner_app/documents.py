"""The JSON documents the handheld page loads next to its code.

The messages document is ``keys.reasons.messages_document`` (reason messages,
tones, faults and next actions, district, permit type, mode and status names),
generated from ``keys`` rather than copied into JavaScript, so the handheld can
never show a word that has drifted from what the verifier service sends. The policy
document carries the few numbers the offline checks share with the server
(time-step skew, paper tolerance), for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from keys.reasons import messages_document

__all__ = ["ScannerPolicy", "messages_document"]


@dataclass(frozen=True, slots=True)
class ScannerPolicy:
    """Numbers the handheld needs for its own checks and warnings.

    ``skew_steps`` and ``paper_future_tolerance_s`` must match the verifier's
    ``verifier.core.Options`` so an offline verdict agrees with an online one.
    ``clock_warn_s``: warn when the handheld's clock differs from the service's
    by more than this (a clock off by a time step refuses live codes).
    ``offline_max_status_age_s``: offline, refuse with STATUS_STALE rather than
    trust a status list older than this.
    ``verdict_hold_s``: how long a verdict stays on screen before the scanner
    is ready again by itself.
    ``refresh_s``: how often the key set, status list and clock are refreshed.
    """

    skew_steps: int = 1
    paper_future_tolerance_s: int = 300
    clock_warn_s: float = 15.0
    offline_max_status_age_s: int = 24 * 3600
    verdict_hold_s: float = 4.0
    refresh_s: int = 300

    def __post_init__(self) -> None:
        if self.skew_steps < 0 or self.paper_future_tolerance_s < 0:
            raise ValueError("skew_steps and paper_future_tolerance_s must not be negative")
        if self.clock_warn_s <= 0 or self.offline_max_status_age_s <= 0:
            raise ValueError("clock_warn_s and offline_max_status_age_s must be positive")
        if not 0.5 <= self.verdict_hold_s <= 60 or self.refresh_s < 10:
            raise ValueError("verdict_hold_s must be 0.5..60 s and refresh_s at least 10 s")

    def to_json(self) -> dict[str, Any]:
        return {
            "skew_steps": self.skew_steps,
            "paper_future_tolerance_s": self.paper_future_tolerance_s,
            "clock_warn_s": self.clock_warn_s,
            "offline_max_status_age_s": self.offline_max_status_age_s,
            "verdict_hold_s": self.verdict_hold_s,
            "refresh_s": self.refresh_s,
        }

