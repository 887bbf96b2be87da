"""The decision once a code's signature checked: status age, status list entry, liveness, replay.

Shared by ``verify`` and ``verify_batch`` (verifier.pipeline.run) so a code gets
the same verdict either way.
"""

from __future__ import annotations

import logging
from typing import Callable

from keys import errors as E
from keys.statuslist import ACTIVE, SUPERSEDED, SUSPENDED

from ..guesses import TotpGuard
from ..replay import ReplayEpochRefused
from ..status import StatusSource
from ..verdict import Verdict
from .checked import Checked, Options

log = logging.getLogger("verifier.core")
_new_tuple = tuple.__new__


def status_fresh(status_source: StatusSource, options: Options, now: float) -> None:
    limit = options.max_status_age_s
    if limit is not None:
        updated = status_source.updated_at()
        if updated is None or now - updated > limit:
            raise E.StatusStale()


def refused(exc: E.CredentialError, now: float, checked: Checked | None = None) -> Verdict:
    if checked is None:
        return _new_tuple(Verdict, (False, exc.reason, None, None, now, False))
    return _new_tuple(Verdict, (False, exc.reason, checked.mode, checked.claims, now, checked.requires_id_check))


def valid(checked: Checked, now: float) -> Verdict:
    return _new_tuple(Verdict, (True, "VALID", checked.mode, checked.claims, now, checked.requires_id_check))


def count_guesses(guard: TotpGuard | None, guesses: list[tuple[bytes, int]], now: float) -> None:
    """The answer is BAD_TOTP either way; a count lost while the store is down is only a count."""
    if guard is not None and guesses:
        try:
            guard.failed(guesses, now)
        except E.CredentialError:
            pass


def locked(now: float) -> Verdict:
    """A locked pass's answer: exactly a wrong code's (no claims), so the lock tells a guesser nothing."""
    return refused(E.BadTotp(), now)


#: the refusal for a status list entry; every other non-active entry is REVOKED
_REFUSAL_BY_STATUS: dict[int, type[E.CredentialError]] = {SUSPENDED: E.Suspended, SUPERSEDED: E.Superseded}
#: how firmly a status refuses; any other (revoked, or unknown here) is the firmest
_SEVERITY: dict[int, int] = {ACTIVE: 0, SUSPENDED: 1, SUPERSEDED: 2}


def worse(a: int, b: int) -> int:
    """Of two statuses, the one that refuses more firmly (a DEVICE pass and its credential)."""
    return a if _SEVERITY.get(a, 3) >= _SEVERITY.get(b, 3) else b


def decide(checked: Checked, status: int, now: float) -> Verdict | None:
    """The verdict once the status is known, or None when only the replay claim remains.

    Suspended and superseded refuse as such; any other status but active
    (revoked, or a code this verifier does not know) refuses as REVOKED.
    """
    if status:
        return refused(_REFUSAL_BY_STATUS.get(status, E.Revoked)(), now, checked)
    if checked.liveness_unverifiable:
        return refused(E.LivenessUnverifiable(), now, checked)
    if checked.replay_key is None:
        return valid(checked, now)
    return None


def claimed(checked: Checked, first: bool, epoch_of: Callable[[bytes], float], now: float) -> Verdict:
    """The verdict once the replay store has answered a claim.

    The store's epoch is read after the claim (a shared store learns of a loss
    from the claim itself): a code that could have been accepted before it may
    have been claimed already, so it is refused, and the holder shows the next.
    """
    if not first:
        return refused(E.Replayed(), now, checked)
    if checked.replay_since < epoch_of(checked.replay_key):  # type: ignore[arg-type]
        return refused(ReplayEpochRefused(), now, checked)
    return valid(checked, now)


def internal_error(now: float, checked: Checked | None = None) -> Verdict:
    log.exception("internal error while verifying a code")  # the code's text is never logged
    return refused(E.InternalError(), now, checked)
