"""The verification pipeline: scanned text + clock + key set + stores -> Verdict.

Pure: it reads no clock and does no I/O of its own; ``now`` is passed in and the
stores are handed over by the caller (memory or Redis). The checks run cheapest
first and each refusal is a ``CredentialError`` subclass with a stable reason:

1. split the text (prefix, base45, version, mode, length)      MALFORMED / UNSUPPORTED_VERSION
2. look the key up by kid                                       UNKNOWN_KEY
3. time window from the (still unverified) time fields          STALE / NOT_YET_VALID
4. key valid now                                                KEY_NOT_VALID_AT_TIME
5. Ed25519 signature                                            BAD_SIGNATURE
6. claims, credential validity (Beijing calendar day)           CREDENTIAL_EXPIRED
7. PASS: TOTP code for its step, if the rotation secret is held BAD_TOTP
   DEVICE: the device key's signature of its step               BAD_DEVICE_SIGNATURE
   (counted per pass; a pass over its limits is locked)         BAD_TOTP
8. status list (DEVICE: the credential's and the pass's index)  STATUS_STALE / SUSPENDED / REVOKED
9. PASS without rotation secret                                 LIVENESS_UNVERIFIABLE
10. replay store (the only write, so it comes last)             REPLAYED
    and its replay epoch (the code may predate the store's memory) SERVICE_UNAVAILABLE

Refusing a code on an unverified time field gives a forger nothing: the code is
refused either way, and the signature check it skips is the expensive part.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import NamedTuple, Sequence

from keys import errors as E
from keys.device_key import verify_device_signature
from keys.keypair import verify_signature
from keys.keyset import KeyInfo, KeySet
from keys.statuslist import REVOKED, SUSPENDED
from keys.totp import code_matches, pass_secret
from keys.wire import HEADER, TRAILER, Claims, Mode, decode_claims, device_step_message
from keys.wire import DEVICE_FIELDS, DEVICE_TRAILER, PASS_FIELDS, PAPER_FIELDS, MINTED_FIELDS, unverified_split

from .guesses import TotpGuard
from .replay import ReplayEpochRefused, ReplayStore
from .status import StatusSource
from .verdict import Verdict

BEIJING_UTC_OFFSET_S = 8 * 3600
_MINTED_TIME = struct.Struct(">BI")
_H = HEADER.size
_MINTED_CLAIMS = _H + MINTED_FIELDS.size
_PASS_CLAIMS = _H + PASS_FIELDS.size
_PAPER_CLAIMS = _H + PAPER_FIELDS.size
_DEVICE_CLAIMS = _H + DEVICE_FIELDS.size
_MODE_NAMES = {m.value: m.name for m in Mode}
_MINTED, _PASS, _PAPER, _DEVICE = int(Mode.MINTED), int(Mode.PASS), int(Mode.PAPER), int(Mode.DEVICE)


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
    """A code whose signature and time checks passed; the stateful checks remain."""

    mode: int
    claims: Claims
    replay_key: bytes | None
    replay_ttl: float
    liveness_unverifiable: bool
    #: the earliest moment any verifier could have accepted this code (start of its window)
    replay_since: float = 0.0
    #: DEVICE: the pass's own status-list index, checked with the credential's
    pass_ref: int | None = None


_new_tuple = tuple.__new__
_unpack_minted_time = _MINTED_TIME.unpack_from
_unpack_pass = PASS_FIELDS.unpack_from
_unpack_paper = PAPER_FIELDS.unpack_from
_unpack_trailer = TRAILER.unpack
_unpack_device = DEVICE_FIELDS.unpack_from
_unpack_device_trailer = DEVICE_TRAILER.unpack
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()
_MINTED_REPLAY_END = _MINTED_CLAIMS + 3  # step, nonce and ref are contiguous


def _window(step: int, now_step: int, skew: int) -> None:
    if step < now_step - skew:
        raise E.Stale()
    if step > now_step + skew:
        raise E.NotYetValid()


def _check_device(
    signed: bytes, signature: bytes, trailer: bytes, key: KeyInfo, now: float, options: Options
) -> Checked:
    """Steps 3-7 for a device-bound pass: the issuer vouches for the key, the key for the step.

    The device signature comes last: it is the second expensive check, and a pass
    that fails any cheaper one is refused without it.
    """
    period, not_before, hours, pass_ref, device_key = _unpack_device(signed, _H)
    if period == 0:
        raise E.Malformed("period")
    skew = options.skew_steps
    if now < not_before - skew * period:
        raise E.NotYetValid()
    if now > not_before + hours * 3600:
        raise E.Stale()
    step_low, device_signature = _unpack_device_trailer(trailer)
    now_step = int(now // period)
    step = now_step + ((step_low - now_step + 0x8000) & 0xFFFF) - 0x8000
    _window(step, now_step, skew)
    if not key.valid_at(now):
        raise E.KeyNotValidAtTime()
    if not verify_signature(key.public_key, signature, signed):
        raise E.BadSignature()
    claims = decode_claims(signed, _DEVICE_CLAIMS)
    if claims.valid_until.toordinal() - _EPOCH_ORDINAL < (int(now) + BEIJING_UTC_OFFSET_S) // 86400:
        raise E.CredentialExpired()
    if not verify_device_signature(device_key, device_signature, device_step_message(signed + signature, step)):
        raise E.BadDeviceSignature()
    replay_key = b"d" + pass_ref + signed[_H + 1 : _H + 5] + step.to_bytes(4, "big")
    ttl = (step + skew + 1) * period - now + 1
    since = (step - skew) * period
    return _new_tuple(Checked, (_DEVICE, claims, replay_key, ttl, False, since, int.from_bytes(pass_ref, "big")))


def check_signed(text: str, now: float, keyset: KeySet, options: Options) -> Checked:
    """Steps 1-7: everything that needs no store. Raises CredentialError.

    Measured against a bare Ed25519 verify, so the common MINTED path is written
    for the interpreter: constructors bypassed, module lookups bound to names.
    The split itself is keys.wire's, the one definition of the layout.
    """
    mode, kid, signed, signature, trailer = unverified_split(text)
    key = keyset.get(kid)
    if key is None:
        raise E.UnknownKey()
    if mode == _DEVICE:
        return _check_device(signed, signature, trailer, key, now, options)
    skew = options.skew_steps
    if mode == _MINTED:
        period, step = _unpack_minted_time(signed, _H)
        if period == 0:
            raise E.Malformed("period")
        now_step = int(now // period)
        if step < now_step - skew:
            raise E.Stale()
        if step > now_step + skew:
            raise E.NotYetValid()
        offset = _MINTED_CLAIMS
    elif mode == _PASS:
        period, not_before, hours, pass_id = _unpack_pass(signed, _H)
        if period == 0:
            raise E.Malformed("period")
        if now < not_before - skew * period:
            raise E.NotYetValid()
        if now > not_before + hours * 3600:
            raise E.Stale()
        step_low, code_high, code_low = _unpack_trailer(trailer)
        now_step = int(now // period)
        # The trailer carries the low 16 bits of the step: take the step nearest to ours.
        step = now_step + ((step_low - now_step + 0x8000) & 0xFFFF) - 0x8000
        _window(step, now_step, skew)
        offset = _PASS_CLAIMS
    else:
        issued_at, not_after = _unpack_paper(signed, _H)
        if now < issued_at - options.paper_future_tolerance_s:
            raise E.NotYetValid()
        if now > not_after:
            raise E.CredentialExpired()
        offset = _PAPER_CLAIMS
    if not key.valid_at(now):
        raise E.KeyNotValidAtTime()
    if not verify_signature(key.public_key, signature, signed):
        raise E.BadSignature()
    claims = decode_claims(signed, offset)
    if claims.valid_until.toordinal() - _EPOCH_ORDINAL < (int(now) + BEIJING_UTC_OFFSET_S) // 86400:
        raise E.CredentialExpired()
    if mode == _MINTED:
        replay_key = b"m" + signed[_H + 1 : _MINTED_REPLAY_END]
        return _new_tuple(
            Checked, (mode, claims, replay_key, (step + skew + 1) * period - now + 1, False, (step - skew) * period, None)
        )
    if mode == _PASS:
        secret = options.rotation_secret
        if secret is None:
            return _new_tuple(Checked, (mode, claims, None, 0.0, True, 0.0, None))
        if not code_matches(pass_secret(secret, pass_id), step, (code_high << 16) | code_low):
            raise BadPassCode(pass_id, step)
        replay_key = b"p" + pass_id + step.to_bytes(4, "big")
        return _new_tuple(
            Checked, (mode, claims, replay_key, (step + skew + 1) * period - now + 1, False, (step - skew) * period, None)
        )
    return _new_tuple(Checked, (mode, claims, None, 0.0, False, 0.0, None))


def _check_status(status_source: StatusSource, options: Options, now: float) -> None:
    if options.max_status_age_s is not None:
        updated = status_source.updated_at()
        if updated is None or now - updated > options.max_status_age_s:
            raise E.StatusStale()


def _status_error(code: int) -> E.CredentialError | None:
    if code == REVOKED:
        return E.Revoked()
    if code == SUSPENDED:
        return E.Suspended()
    return None


def _count_guesses(guard: TotpGuard | None, guesses: list[tuple[bytes, int]], now: float) -> None:
    """The answer is BAD_TOTP either way; a count lost while the store is down is only a count."""
    if guard is not None and guesses:
        try:
            guard.failed(guesses, now)
        except E.CredentialError:
            pass


def _pass_id(checked: Checked) -> bytes | None:
    """The pass id of a PASS code whose TOTP was checked (its replay key is b"p" + pass id + step)."""
    key = checked.replay_key
    return key[1:9] if checked.mode == _PASS and key is not None else None


def _refused(exc: E.CredentialError, now: float, checked: Checked | None = None) -> Verdict:
    if checked is None:
        return Verdict(False, exc.reason, None, None, now)
    return Verdict(False, exc.reason, _MODE_NAMES[checked.mode], checked.claims, now, checked.mode == _PAPER)


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
    try:
        checked = check_signed(text, now, keyset, options)
    except BadPassCode as exc:
        _count_guesses(guard, [(exc.pass_id, exc.step)], now)
        return _refused(exc, now)
    except E.CredentialError as exc:
        return _refused(exc, now)
    except Exception:  # a hostile input must never become a crash
        return _refused(E.Malformed(), now)
    mode, claims, replay_key, ttl, unverifiable, since, pass_ref = checked
    try:
        if guard is not None and mode == _PASS and replay_key is not None and guard.locked([replay_key[1:9]], now)[0]:
            return _refused(E.BadTotp(), now)  # exactly a wrong code's answer: the lock is no oracle
        if options.max_status_age_s is not None:
            _check_status(status_source, options, now)
        code = status_source.status(claims.ref)
        if pass_ref is not None:
            code = max(code, status_source.status(pass_ref))
        if code:
            failure = _status_error(code)
            if failure is not None:
                raise failure
        if unverifiable:
            raise E.LivenessUnverifiable()
        if replay_key is not None:
            if not replay_store.claim(replay_key, ttl, now):
                raise E.Replayed()
            if since < replay_store.epoch_of(replay_key):  # read after the claim: the claim may have moved it
                raise ReplayEpochRefused()
    except E.CredentialError as exc:
        return _refused(exc, now, checked)
    return _new_tuple(Verdict, (True, "VALID", _MODE_NAMES[mode], claims, now, mode == _PAPER))


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

    Within one batch the same code twice is a replay of itself, as it would be
    if the codes had been sent one by one.
    """
    results: list[Verdict | Checked] = []
    guesses: list[tuple[bytes, int]] = []
    for text in texts:
        try:
            results.append(check_signed(text, now, keyset, options))
        except BadPassCode as exc:
            guesses.append((exc.pass_id, exc.step))
            results.append(_refused(exc, now))
        except E.CredentialError as exc:
            results.append(_refused(exc, now))
        except Exception:
            results.append(_refused(E.Malformed(), now))
    _count_guesses(guard, guesses, now)  # before the locks are read: a batch of guesses locks its own pass
    pending = [(i, r) for i, r in enumerate(results) if isinstance(r, Checked)]
    if not pending:
        return results  # type: ignore[return-value]
    passes = [(i, c, pass_id) for i, c in pending if (pass_id := _pass_id(c)) is not None]
    if guard is not None and passes:
        try:
            locks = guard.locked([pass_id for _, _, pass_id in passes], now)
        except E.CredentialError as exc:
            locks = [exc] * len(passes)  # type: ignore[list-item]
        for (i, c, _), lock in zip(passes, locks):
            if lock is True:
                results[i] = _refused(E.BadTotp(), now)  # exactly a wrong code's answer
            elif isinstance(lock, E.CredentialError):
                results[i] = _refused(lock, now, c)
        pending = [(i, r) for i, r in pending if isinstance(results[i], Checked)]
        if not pending:
            return results  # type: ignore[return-value]
    try:
        _check_status(status_source, options, now)
        indices = [c.claims.ref for _, c in pending]
        devices = [(k, c.pass_ref) for k, (_, c) in enumerate(pending) if c.pass_ref is not None]
        statuses = status_source.status_many(indices + [ref for _, ref in devices])
        for j, (k, _) in enumerate(devices):
            # a device pass takes the worse of its own and its credential's status
            statuses[k] = max(statuses[k], statuses[len(indices) + j])
    except E.CredentialError as exc:
        for i, c in pending:
            results[i] = _refused(exc, now, c)
        return results  # type: ignore[return-value]
    to_claim: list[tuple[int, Checked]] = []
    for (i, c), code in zip(pending, statuses):
        failure = _status_error(code) or (E.LivenessUnverifiable() if c.liveness_unverifiable else None)
        if failure is not None:
            results[i] = _refused(failure, now, c)
        elif c.replay_key is None:
            results[i] = Verdict(True, "VALID", _MODE_NAMES[c.mode], c.claims, now, c.mode == _PAPER)
        else:
            to_claim.append((i, c))
    if to_claim:
        try:
            claimed = replay_store.claim_many([(c.replay_key, c.replay_ttl) for _, c in to_claim], now)  # type: ignore[misc]
        except E.CredentialError as exc:
            for i, c in to_claim:
                results[i] = _refused(exc, now, c)
            return results  # type: ignore[return-value]
        epoch_of = replay_store.epoch_of
        for (i, c), first in zip(to_claim, claimed):
            if not first:
                results[i] = _refused(E.Replayed(), now, c)
            elif c.replay_since < epoch_of(c.replay_key):  # type: ignore[arg-type]
                results[i] = _refused(ReplayEpochRefused(), now, c)
            else:
                results[i] = Verdict(True, "VALID", _MODE_NAMES[c.mode], c.claims, now, False)
    return results  # type: ignore[return-value]
