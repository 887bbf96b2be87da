"""The values the pipeline's steps hand each other: policy in, a checked code out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from keys import errors as E
from keys.wire import Claims

#: A replay claim outlives its code's window by this much. A shared store expires claims
#: on its own clock from when the claim arrives, while the window was judged at ``now``,
#: read earlier: if a later presentation's claim arrived more than this after its ``now``
#: (a machine overloaded for seconds), the first claim could be gone while the code still
#: looked current. The service refuses verdicts whose claim took longer
#: (verifier.service.Service.too_slow), so this is a bound, not a hope.
REPLAY_SLACK_S = 10.0


@dataclass(frozen=True, slots=True)
class Options:
    """Verifier policy.

    ``skew_steps``: how many time steps a code may be early or late (clock
    differences between phone and scanner, and the time to scan).
    ``rotation_secret``: the issuer's TOTP rotation secret; without it offline
    passes answer LIVENESS_UNVERIFIABLE.
    ``max_status_age_s``: refuse with STATUS_STALE when the status data is older.
    ``paper_future_tolerance_s``: how far a slip's issue time may be ahead of us.
    """

    skew_steps: int = 1
    rotation_secret: bytes | None = None
    max_status_age_s: float | None = None
    paper_future_tolerance_s: int = 300

    def __repr__(self) -> str:
        held = "held" if self.rotation_secret else "none"
        return f"Options(skew_steps={self.skew_steps}, rotation_secret={held}, max_status_age_s={self.max_status_age_s})"


class BadPassCode(E.BadTotp):
    """BAD_TOTP for a pass whose signature verified: the guess that the guard counts."""

    def __init__(self, pass_id: bytes, step: int) -> None:
        super().__init__()
        self.pass_id = pass_id
        self.step = step


class Checked(NamedTuple):
    """A code whose signature and time checks passed; the stateful checks remain.

    ``mode`` is the mode's name as verdicts give it. ``replay_key`` is None for
    a code that may be shown again (paper); ``replay_since`` is the earliest
    moment any verifier could have accepted the code (the start of its window).
    ``pass_id``: the pass of a PASS code whose one-time code was checked (the
    guard's key). ``pass_ref``: a DEVICE pass's own status-list index, checked
    with the credential's. ``requires_id_check``: the code proves the document genuine,
    not that its bearer is the holder.
    """

    mode: str
    claims: Claims
    replay_key: bytes | None
    replay_ttl: float
    replay_since: float
    pass_id: bytes | None
    pass_ref: int | None
    liveness_unverifiable: bool
    requires_id_check: bool
