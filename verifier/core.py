"""The verification pipeline: scanned text + clock + key set + stores -> Verdict.

Pure: it reads no clock and does no I/O of its own; ``now`` is passed in and the
stores are handed over by the caller (memory or Redis). The checks run cheapest
first and each refusal is a ``CredentialError`` subclass with a stable reason:

``check_signed`` (no store), one named step per mode after a shared start:
  1. split the text (prefix, base45, version, mode, length)    MALFORMED / UNSUPPORTED_VERSION
  2. look the key up by kid                                     UNKNOWN_KEY
  3. the mode's time window, from still unverified fields      STALE / NOT_YET_VALID / CREDENTIAL_EXPIRED (paper)
  4. ``_authentic``: key valid now, Ed25519 signature,          KEY_NOT_VALID_AT_TIME / BAD_SIGNATURE
     claims, credential validity (Beijing calendar day)         CREDENTIAL_EXPIRED
  5. the mode's liveness: PASS one-time code, replay key        BAD_TOTP
     (a wrong code of a genuine pass is counted by the guard)
     DEVICE: the device key's signature of its step             BAD_DEVICE_SIGNATURE
then, shared by ``verify`` and ``verify_batch``:
  6. ``_locked``: a pass over its guess limits                  BAD_TOTP (as a wrong code: no oracle)
  7. status data age                                            STATUS_STALE
  8. ``_decide``: status list (DEVICE: the worse of the         SUSPENDED / SUPERSEDED / REVOKED
     credential's and the pass's own index)
     PASS without rotation secret                               LIVENESS_UNVERIFIABLE
``_claimed``: 9. replay store (the only write, so it comes last) REPLAYED
     and its replay epoch (the code may predate the store's memory) SERVICE_UNAVAILABLE

Refusing a code on an unverified time field gives a forger nothing: the code is
refused either way, and the signature check it skips is the expensive part.

A store that cannot answer raises ``ServiceUnavailable`` (a verdict, fail
closed). Anything else that escapes is a bug of ours, not a property of the
code: it is logged and answered INTERNAL_ERROR (a service reason, counted by
reason in the service's metrics), never VALID and never a crash.

Adding a check: in the step of the mode it concerns (or ``_authentic`` for all
modes), raising a ``keys.errors`` class whose reason is described in
``keys.reasons``. Adding a mode: its layout in keys.wire, its step here, its
entry in ``_STEPS``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, NamedTuple, Sequence

from keys import errors as E
from keys.device_key import verify_device_signature
from keys.keypair import verify_signature
from keys.keyset import KeyInfo, KeySet
from keys.statuslist import ACTIVE, SUPERSEDED, SUSPENDED
from keys.timekeeping import EPOCH_ORDINAL, beijing_day_number, step_at
from keys.totp import code_matches, pass_secret
from keys.vocabulary import MODE_NAMES, Mode
from keys.wire import (
    CLAIMS_OFFSET,
    DEVICE_FIELDS,
    FIELDS_OFFSET,
    MINTED_FIELDS,
    MINTED_ONCE,
    PAPER_FIELDS,
    PASS_FIELDS,
    Claims,
    decode_claims,
    device_step_message,
    read_device_trailer,
    read_trailer,
    unverified_split,
)

from .guesses import TotpGuard
from .replay import ReplayEpochRefused, ReplayStore
from .status import StatusSource
from .verdict import Verdict

log = logging.getLogger("verifier.core")


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


_new_tuple = tuple.__new__
_unpack_minted = MINTED_FIELDS.unpack_from
_unpack_pass = PASS_FIELDS.unpack_from
_unpack_paper = PAPER_FIELDS.unpack_from
_unpack_device = DEVICE_FIELDS.unpack_from
_MINTED_NAME, _PASS_NAME, _PAPER_NAME = MODE_NAMES[Mode.MINTED], MODE_NAMES[Mode.PASS], MODE_NAMES[Mode.PAPER]
_DEVICE_NAME = MODE_NAMES[Mode.DEVICE]
_MINTED_CLAIMS, _PASS_CLAIMS, _PAPER_CLAIMS = CLAIMS_OFFSET[Mode.MINTED], CLAIMS_OFFSET[Mode.PASS], CLAIMS_OFFSET[Mode.PAPER]
_DEVICE_CLAIMS = CLAIMS_OFFSET[Mode.DEVICE]


# -- check_signed: the shared start, one step per mode -------------------------------------

def _in_window(step: int, now_step: int, skew: int) -> None:
    if step < now_step - skew:
        raise E.Stale()
    if step > now_step + skew:
        raise E.NotYetValid()


def _authentic(key: KeyInfo, signature: bytes, signed: bytes, claims_at: int, now: float) -> Claims:
    """Every mode's middle: the key valid now, the signature, then the claims it covers."""
    if not key.valid_at(now):
        raise E.KeyNotValidAtTime()
    if not verify_signature(key.public_key, signature, signed):
        raise E.BadSignature()
    claims = decode_claims(signed, claims_at)
    if claims.valid_until.toordinal() - EPOCH_ORDINAL < beijing_day_number(now):
        raise E.CredentialExpired()
    return claims


def _check_minted(
    key: KeyInfo, signed: bytes, signature: bytes, trailer: bytes, now: float, options: Options
) -> Checked:
    """A live code: its step within the skew of ours; accepted once (step, nonce, credential)."""
    period, step, _nonce = _unpack_minted(signed, FIELDS_OFFSET)
    if period == 0:
        raise E.Malformed("period")
    skew = options.skew_steps
    _in_window(step, step_at(now, period), skew)
    claims = _authentic(key, signature, signed, _MINTED_CLAIMS, now)
    ttl = (step + skew + 1) * period - now + REPLAY_SLACK_S
    since = (step - skew) * period
    return _new_tuple(Checked, (_MINTED_NAME, claims, b"m" + signed[MINTED_ONCE], ttl, since, None, None, False, False))


def _within_pass(period: int, not_before: int, hours: int, now: float, skew: int) -> int:
    """Both offline passes' window (from ``not_before`` for ``hours``); our time step."""
    if period == 0:
        raise E.Malformed("period")
    if now < not_before - skew * period:
        raise E.NotYetValid()
    if now > not_before + hours * 3600:
        raise E.Stale()
    return step_at(now, period)


def _check_pass(
    key: KeyInfo, signed: bytes, signature: bytes, trailer: bytes, now: float, options: Options
) -> Checked:
    """An offline pass: within its hours, its trailer's step within the skew, the one-time code right."""
    period, not_before, hours, pass_id = _unpack_pass(signed, FIELDS_OFFSET)
    skew = options.skew_steps
    now_step = _within_pass(period, not_before, hours, now, skew)
    step, code = read_trailer(trailer, now_step)
    _in_window(step, now_step, skew)
    claims = _authentic(key, signature, signed, _PASS_CLAIMS, now)
    secret = options.rotation_secret
    if secret is None:
        return _new_tuple(Checked, (_PASS_NAME, claims, None, 0.0, 0.0, None, None, True, False))
    if not code_matches(pass_secret(secret, pass_id), step, code):
        raise BadPassCode(pass_id, step)
    replay_key = b"p" + pass_id + step.to_bytes(4, "big")
    ttl = (step + skew + 1) * period - now + REPLAY_SLACK_S
    return _new_tuple(Checked, (_PASS_NAME, claims, replay_key, ttl, (step - skew) * period, pass_id, None, False, False))


def _check_paper(
    key: KeyInfo, signed: bytes, signature: bytes, trailer: bytes, now: float, options: Options
) -> Checked:
    """A paper slip: between its issue time and its end; may be shown again; asks for an ID check."""
    issued_at, not_after = _unpack_paper(signed, FIELDS_OFFSET)
    if now < issued_at - options.paper_future_tolerance_s:
        raise E.NotYetValid()
    if now > not_after:
        raise E.CredentialExpired()
    claims = _authentic(key, signature, signed, _PAPER_CLAIMS, now)
    return _new_tuple(Checked, (_PAPER_NAME, claims, None, 0.0, 0.0, None, None, False, True))


def _check_device(
    key: KeyInfo, signed: bytes, signature: bytes, trailer: bytes, now: float, options: Options
) -> Checked:
    """A device-bound pass: the issuer vouches for the phone's key, the key for the step.

    The device signature comes last: it is the second expensive check, and a pass
    that fails any cheaper one is refused without it.
    """
    period, not_before, hours, pass_ref, device_key = _unpack_device(signed, FIELDS_OFFSET)
    skew = options.skew_steps
    now_step = _within_pass(period, not_before, hours, now, skew)
    step, device_signature = read_device_trailer(trailer, now_step)
    _in_window(step, now_step, skew)
    claims = _authentic(key, signature, signed, _DEVICE_CLAIMS, now)
    if not verify_device_signature(device_key, device_signature, device_step_message(signed, step, signature)):
        raise E.BadDeviceSignature()
    replay_key = b"".join((b"d", pass_ref, not_before.to_bytes(4, "big"), step.to_bytes(4, "big")))
    ttl = (step + skew + 1) * period - now + REPLAY_SLACK_S
    ref = int.from_bytes(pass_ref, "big")
    return _new_tuple(Checked, (_DEVICE_NAME, claims, replay_key, ttl, (step - skew) * period, None, ref, False, False))


_Step = Callable[[KeyInfo, bytes, bytes, bytes, float, Options], Checked]
_STEPS: dict[int, _Step] = {
    Mode.MINTED: _check_minted,
    Mode.PASS: _check_pass,
    Mode.PAPER: _check_paper,
    Mode.DEVICE: _check_device,
}


def check_signed(text: str, now: float, keyset: KeySet, options: Options) -> Checked:
    """Everything that needs no store: raises a CredentialError for a code that fails.

    Measured against a bare Ed25519 verify, so the steps are written for the
    interpreter (constructors bypassed, lookups bound to module names). Any
    other exception is a bug (the property tests drive this function directly
    so that one fails them).
    """
    mode, kid, signed, signature, trailer = unverified_split(text)
    key = keyset.get(kid)
    if key is None:
        raise E.UnknownKey()
    return _STEPS[mode](key, signed, signature, trailer, now, options)


# -- the decision: shared by verify and verify_batch -------------------------------------

def _status_fresh(status_source: StatusSource, options: Options, now: float) -> None:
    limit = options.max_status_age_s
    if limit is not None:
        updated = status_source.updated_at()
        if updated is None or now - updated > limit:
            raise E.StatusStale()


def _refused(exc: E.CredentialError, now: float, checked: Checked | None = None) -> Verdict:
    if checked is None:
        return _new_tuple(Verdict, (False, exc.reason, None, None, now, False))
    return _new_tuple(Verdict, (False, exc.reason, checked.mode, checked.claims, now, checked.requires_id_check))


def _valid(checked: Checked, now: float) -> Verdict:
    return _new_tuple(Verdict, (True, "VALID", checked.mode, checked.claims, now, checked.requires_id_check))


def _count_guesses(guard: TotpGuard | None, guesses: list[tuple[bytes, int]], now: float) -> None:
    """The answer is BAD_TOTP either way; a count lost while the store is down is only a count."""
    if guard is not None and guesses:
        try:
            guard.failed(guesses, now)
        except E.CredentialError:
            pass


def _locked(now: float) -> Verdict:
    """A locked pass's answer: exactly a wrong code's (no claims), so the lock tells a guesser nothing."""
    return _refused(E.BadTotp(), now)


#: the refusal for a status list entry; every other non-active entry is REVOKED
_REFUSAL_BY_STATUS: dict[int, type[E.CredentialError]] = {SUSPENDED: E.Suspended, SUPERSEDED: E.Superseded}
#: how firmly a status refuses; any other (revoked, or unknown here) is the firmest
_SEVERITY: dict[int, int] = {ACTIVE: 0, SUSPENDED: 1, SUPERSEDED: 2}


def _worse(a: int, b: int) -> int:
    """Of two statuses, the one that refuses more firmly (a DEVICE pass and its credential)."""
    return a if _SEVERITY.get(a, 3) >= _SEVERITY.get(b, 3) else b


def _decide(checked: Checked, status: int, now: float) -> Verdict | None:
    """The verdict once the status is known, or None when only the replay claim remains.

    Suspended and superseded refuse as such; any other status but active
    (revoked, or a code this verifier does not know) refuses as REVOKED.
    """
    if status:
        return _refused(_REFUSAL_BY_STATUS.get(status, E.Revoked)(), now, checked)
    if checked.liveness_unverifiable:
        return _refused(E.LivenessUnverifiable(), now, checked)
    if checked.replay_key is None:
        return _valid(checked, now)
    return None


def _claimed(checked: Checked, first: bool, epoch_of: Callable[[bytes], float], now: float) -> Verdict:
    """The verdict once the replay store has answered a claim.

    The store's epoch is read after the claim (a shared store learns of a loss
    from the claim itself): a code that could have been accepted before it may
    have been claimed already, so it is refused, and the holder shows the next.
    """
    if not first:
        return _refused(E.Replayed(), now, checked)
    if checked.replay_since < epoch_of(checked.replay_key):  # type: ignore[arg-type]
        return _refused(ReplayEpochRefused(), now, checked)
    return _valid(checked, now)


def _internal_error(now: float, checked: Checked | None = None) -> Verdict:
    log.exception("internal error while verifying a code")  # the code's text is never logged
    return _refused(E.InternalError(), now, checked)


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
            _count_guesses(guard, [(exc.pass_id, exc.step)], now)
            raise
        if checked.pass_id is not None and guard is not None and guard.locked([checked.pass_id], now)[0]:
            return _locked(now)
        _status_fresh(status_source, options, now)
        status = status_source.status(checked.claims.ref)
        if checked.pass_ref is not None:
            status = _worse(status, status_source.status(checked.pass_ref))
        verdict = _decide(checked, status, now)
        if verdict is None:
            first = replay_store.claim(checked.replay_key, checked.replay_ttl, now)  # type: ignore[arg-type]
            verdict = _claimed(checked, first, replay_store.epoch_of, now)
        return verdict
    except E.CredentialError as exc:
        return _refused(exc, now, checked)
    except Exception:
        return _internal_error(now, checked)


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
            verdicts.append(_refused(exc, now))
        except E.CredentialError as exc:
            verdicts.append(_refused(exc, now))
        except Exception:
            verdicts.append(_internal_error(now))
    if pending or guesses:
        failure: E.CredentialError | None = None
        try:
            _count_guesses(guard, guesses, now)  # before the locks are read: a batch of guesses locks its own pass
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
                    verdicts[i] = _refused(failure, now, c)
    return verdicts  # type: ignore[return-value]


def _unlocked(
    pending: list[tuple[int, Checked]], verdicts: list[Verdict | None], guard: TotpGuard | None, now: float
) -> list[tuple[int, Checked]]:
    """``pending`` without the codes of locked passes, whose verdicts are set (one guard call)."""
    passes = [(i, c) for i, c in pending if c.pass_id is not None]
    if guard is None or not passes:
        return pending
    locks = guard.locked([c.pass_id for _, c in passes], now)  # type: ignore[misc]
    for (i, _), locked in zip(passes, locks, strict=True):
        if locked:
            verdicts[i] = _locked(now)
    return [(i, c) for i, c in pending if verdicts[i] is None]


def _decide_batch(
    pending: list[tuple[int, Checked]],
    verdicts: list[Verdict | None],
    now: float,
    status_source: StatusSource,
    replay_store: ReplayStore,
    options: Options,
) -> None:
    """``_decide`` and ``_claimed`` for every checked code of a batch, with one call to each store."""
    _status_fresh(status_source, options, now)
    devices = [(k, c.pass_ref) for k, (_, c) in enumerate(pending) if c.pass_ref is not None]
    statuses = status_source.status_many([c.claims.ref for _, c in pending] + [ref for _, ref in devices])
    for j, (k, _) in enumerate(devices, start=len(pending)):
        statuses[k] = _worse(statuses[k], statuses[j])  # the credential's and the pass's
    to_claim: list[tuple[int, Checked]] = []
    for (i, c), status in zip(pending, statuses[: len(pending)], strict=True):
        verdicts[i] = _decide(c, status, now)
        if verdicts[i] is None:
            to_claim.append((i, c))
    if to_claim:
        firsts = replay_store.claim_many([(c.replay_key, c.replay_ttl) for _, c in to_claim], now)  # type: ignore[misc]
        epoch_of = replay_store.epoch_of
        for (i, c), first in zip(to_claim, firsts, strict=True):
            verdicts[i] = _claimed(c, first, epoch_of, now)
