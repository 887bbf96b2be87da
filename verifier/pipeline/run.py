"""``verify`` and ``verify_batch``: the pipeline from text to verdict, one code or many.

Never raises for any input text: a refusal is a verdict, a store that cannot
answer is SERVICE_UNAVAILABLE, and anything else that escapes is a bug of ours,
logged and answered INTERNAL_ERROR, never VALID.
"""

from __future__ import annotations

from typing import Sequence

from keys import errors as E
from keys.keyset import KeySet

from ..guesses import TotpGuard
from ..replay import ReplayStore
from ..status import StatusSource
from ..verdict import Verdict
from .checked import BadPassCode, Checked, Options
from .decide import claimed, count_guesses, decide, internal_error, locked, log, refused, status_fresh, worse
from .steps import check_signed


def verify(
    text: str,
    now: float,
    keyset: KeySet,
    status_source: StatusSource,
    replay_store: ReplayStore,
    options: Options = Options(),
    guard: TotpGuard | None = None,
) -> Verdict:
    """The verdict for one scanned code. Never raises for any input text."""
    checked: Checked | None = None
    try:
        try:
            checked = check_signed(text, now, keyset, options)
        except BadPassCode as exc:
            count_guesses(guard, [(exc.pass_id, exc.step)], now)
            raise
        if checked.pass_id is not None and guard is not None and guard.locked([checked.pass_id], now)[0]:
            return locked(now)
        status_fresh(status_source, options, now)
        status = status_source.status(checked.claims.ref)
        if checked.pass_ref is not None:
            status = worse(status, status_source.status(checked.pass_ref))
        verdict = decide(checked, status, now)
        if verdict is None:
            first = replay_store.claim(checked.replay_key, checked.replay_ttl, now)  # type: ignore[arg-type]
            verdict = claimed(checked, first, replay_store.epoch_of, now)
        return verdict
    except E.CredentialError as exc:
        return refused(exc, now, checked)
    except Exception:
        return internal_error(now, checked)


def verify_batch(
    texts: Sequence[str],
    now: float,
    keyset: KeySet,
    status_source: StatusSource,
    replay_store: ReplayStore,
    options: Options = Options(),
    guard: TotpGuard | None = None,
) -> list[Verdict]:
    """Verdicts for many codes with one status lookup and one replay round trip.

    The same decision as ``verify``, code by code; within one batch the same
    code twice is a replay of itself, as it would be if the codes had been sent
    one by one. A store failure answers every code still waiting on it.
    """
    verdicts: list[Verdict | None] = []
    pending: list[tuple[int, Checked]] = []
    guesses: list[tuple[bytes, int]] = []
    for i, text in enumerate(texts):
        try:
            pending.append((i, check_signed(text, now, keyset, options)))
            verdicts.append(None)
        except BadPassCode as exc:
            guesses.append((exc.pass_id, exc.step))
            verdicts.append(refused(exc, now))
        except E.CredentialError as exc:
            verdicts.append(refused(exc, now))
        except Exception:
            verdicts.append(internal_error(now))
    if pending or guesses:
        failure: E.CredentialError | None = None
        try:
            count_guesses(guard, guesses, now)  # before the locks are read: a batch of guesses locks its own pass
            pending = _unlocked(pending, verdicts, guard, now)
            if pending:
                _decide_batch(pending, verdicts, now, status_source, replay_store, options)
        except E.CredentialError as exc:
            failure = exc
        except Exception:
            log.exception("internal error while verifying a batch")
            failure = E.InternalError()
        if failure is not None:
            for i, c in pending:
                if verdicts[i] is None:
                    verdicts[i] = refused(failure, now, c)
    return verdicts  # type: ignore[return-value]


def _unlocked(
    pending: list[tuple[int, Checked]], verdicts: list[Verdict | None], guard: TotpGuard | None, now: float
) -> list[tuple[int, Checked]]:
    """``pending`` without the codes of locked passes, whose verdicts are set (one guard call)."""
    passes = [(i, c) for i, c in pending if c.pass_id is not None]
    if guard is None or not passes:
        return pending
    locks = guard.locked([c.pass_id for _, c in passes], now)  # type: ignore[misc]
    for (i, _), is_locked in zip(passes, locks, strict=True):
        if is_locked:
            verdicts[i] = locked(now)
    return [(i, c) for i, c in pending if verdicts[i] is None]


def _decide_batch(
    pending: list[tuple[int, Checked]],
    verdicts: list[Verdict | None],
    now: float,
    status_source: StatusSource,
    replay_store: ReplayStore,
    options: Options,
) -> None:
    """``decide`` and ``claimed`` for every checked code of a batch, with one call to each store."""
    status_fresh(status_source, options, now)
    devices = [(k, c.pass_ref) for k, (_, c) in enumerate(pending) if c.pass_ref is not None]
    statuses = status_source.status_many([c.claims.ref for _, c in pending] + [ref for _, ref in devices])
    for j, (k, _) in enumerate(devices, start=len(pending)):
        statuses[k] = worse(statuses[k], statuses[j])  # the credential's and the pass's
    to_claim: list[tuple[int, Checked]] = []
    for (i, c), status in zip(pending, statuses[: len(pending)], strict=True):
        verdicts[i] = decide(c, status, now)
        if verdicts[i] is None:
            to_claim.append((i, c))
    if to_claim:
        firsts = replay_store.claim_many([(c.replay_key, c.replay_ttl) for _, c in to_claim], now)  # type: ignore[misc]
        epoch_of = replay_store.epoch_of
        for (i, c), first in zip(to_claim, firsts, strict=True):
            verdicts[i] = claimed(c, first, epoch_of, now)
