"""``check_signed``: everything that needs no store, one step per mode and wire version.

A step reads its mode's time fields (unverified: refusing on them gives a forger
nothing, and skips the expensive signature), then ``_authentic`` (key valid
now, Ed25519 signature, the claims it covers, the credential's last day), then
the mode's liveness. Wire versions differ only in where the claims start, how
wide the status-list indices are and how the claims read (``keys.wire.LAYOUTS``),
so each version's steps are the same functions bound to its layout.

Measured against a bare Ed25519 verify, so the steps are written for the
interpreter (constructors bypassed, lookups bound to local names).
"""

from __future__ import annotations

from typing import Callable

from keys import errors as E
from keys.device_key import verify_device_signature
from keys.keypair import verify_signature
from keys.keyset import KeyInfo, KeySet
from keys.timekeeping import EPOCH_ORDINAL, beijing_day_number, step_at
from keys.totp import code_matches, pass_secret
from keys.vocabulary import MODE_NAMES, Mode
from keys.wire import (
    FIELDS_OFFSET,
    LAYOUTS,
    MINTED_FIELDS,
    PAPER_FIELDS,
    PASS_FIELDS,
    Claims,
    Layout,
    device_step_message,
    read_device_trailer,
    read_trailer,
    unverified_split,
)

from .checked import REPLAY_SLACK_S, BadPassCode, Checked, Options

_new_tuple = tuple.__new__
_unpack_minted = MINTED_FIELDS.unpack_from
_unpack_pass = PASS_FIELDS.unpack_from
_unpack_paper = PAPER_FIELDS.unpack_from
_MINTED_NAME, _PASS_NAME, _PAPER_NAME = MODE_NAMES[Mode.MINTED], MODE_NAMES[Mode.PASS], MODE_NAMES[Mode.PAPER]
_DEVICE_NAME = MODE_NAMES[Mode.DEVICE]

_Step = Callable[[KeyInfo, bytes, bytes, bytes, float, Options], Checked]


def _in_window(step: int, now_step: int, skew: int) -> None:
    if step < now_step - skew:
        raise E.Stale()
    if step > now_step + skew:
        raise E.NotYetValid()


def _within_pass(period: int, not_before: int, hours: int, now: float, skew: int) -> int:
    """Both offline passes' window (from ``not_before`` for ``hours``); our time step."""
    if period == 0:
        raise E.Malformed("period")
    if now < not_before - skew * period:
        raise E.NotYetValid()
    if now > not_before + hours * 3600:
        raise E.Stale()
    return step_at(now, period)


def _steps(layout: Layout) -> dict[int, _Step]:
    """The four modes' steps for one wire version."""
    decode = layout.decode
    minted_claims, pass_claims = layout.claims_offset[Mode.MINTED], layout.claims_offset[Mode.PASS]
    paper_claims, device_claims = layout.claims_offset[Mode.PAPER], layout.claims_offset[Mode.DEVICE]
    minted_once = layout.minted_once
    unpack_device = layout.device_fields.unpack_from

    def authentic(key: KeyInfo, signature: bytes, signed: bytes, claims_at: int, now: float) -> Claims:
        """Every mode's middle: the key valid now, the signature, then the claims it covers."""
        if not key.valid_at(now):
            raise E.KeyNotValidAtTime()
        if not verify_signature(key.public_key, signature, signed):
            raise E.BadSignature()
        claims = decode(signed, claims_at)
        if claims.valid_until.toordinal() - EPOCH_ORDINAL < beijing_day_number(now):
            raise E.CredentialExpired()
        return claims

    def minted(key: KeyInfo, signed: bytes, signature: bytes, trailer: bytes, now: float, options: Options) -> Checked:
        """A live code: its step within the skew of ours; accepted once (step, nonce, credential)."""
        period, step, _nonce = _unpack_minted(signed, FIELDS_OFFSET)
        if period == 0:
            raise E.Malformed("period")
        skew = options.skew_steps
        _in_window(step, step_at(now, period), skew)
        claims = authentic(key, signature, signed, minted_claims, now)
        ttl = (step + skew + 1) * period - now + REPLAY_SLACK_S
        since = (step - skew) * period
        return _new_tuple(Checked, (_MINTED_NAME, claims, b"m" + signed[minted_once], ttl, since, None, None, False, False))

    def offline_pass(
        key: KeyInfo, signed: bytes, signature: bytes, trailer: bytes, now: float, options: Options
    ) -> Checked:
        """An offline pass: within its hours, its trailer's step within the skew, the one-time code right."""
        period, not_before, hours, pass_id = _unpack_pass(signed, FIELDS_OFFSET)
        skew = options.skew_steps
        now_step = _within_pass(period, not_before, hours, now, skew)
        step, code = read_trailer(trailer, now_step)
        _in_window(step, now_step, skew)
        claims = authentic(key, signature, signed, pass_claims, now)
        secret = options.rotation_secret
        if secret is None:
            return _new_tuple(Checked, (_PASS_NAME, claims, None, 0.0, 0.0, None, None, True, False))
        if not code_matches(pass_secret(secret, pass_id), step, code):
            raise BadPassCode(pass_id, step)
        replay_key = b"p" + pass_id + step.to_bytes(4, "big")
        ttl = (step + skew + 1) * period - now + REPLAY_SLACK_S
        since = (step - skew) * period
        return _new_tuple(Checked, (_PASS_NAME, claims, replay_key, ttl, since, pass_id, None, False, False))

    def paper(key: KeyInfo, signed: bytes, signature: bytes, trailer: bytes, now: float, options: Options) -> Checked:
        """A paper slip: between its issue time and its end; may be shown again; asks for an ID check."""
        issued_at, not_after = _unpack_paper(signed, FIELDS_OFFSET)
        if now < issued_at - options.paper_future_tolerance_s:
            raise E.NotYetValid()
        if now > not_after:
            raise E.CredentialExpired()
        claims = authentic(key, signature, signed, paper_claims, now)
        return _new_tuple(Checked, (_PAPER_NAME, claims, None, 0.0, 0.0, None, None, False, True))

    def device(key: KeyInfo, signed: bytes, signature: bytes, trailer: bytes, now: float, options: Options) -> Checked:
        """A device-bound pass: the issuer vouches for the phone's key, the key for the step.

        The device signature comes last: it is the second expensive check, and a pass
        that fails any cheaper one is refused without it.
        """
        period, not_before, hours, pass_ref, device_key = unpack_device(signed, FIELDS_OFFSET)
        skew = options.skew_steps
        now_step = _within_pass(period, not_before, hours, now, skew)
        step, device_signature = read_device_trailer(trailer, now_step)
        _in_window(step, now_step, skew)
        claims = authentic(key, signature, signed, device_claims, now)
        if not verify_device_signature(device_key, device_signature, device_step_message(signed, step, signature)):
            raise E.BadDeviceSignature()
        replay_key = b"".join((b"d", pass_ref, not_before.to_bytes(4, "big"), step.to_bytes(4, "big")))
        ttl = (step + skew + 1) * period - now + REPLAY_SLACK_S
        ref = int.from_bytes(pass_ref, "big")
        since = (step - skew) * period
        return _new_tuple(Checked, (_DEVICE_NAME, claims, replay_key, ttl, since, None, ref, False, False))

    return {Mode.MINTED: minted, Mode.PASS: offline_pass, Mode.PAPER: paper, Mode.DEVICE: device}


#: (version, mode) -> its step, as ``version << 8 | mode`` (one int to look up)
STEPS: dict[int, _Step] = {
    version << 8 | int(mode): step for version, layout in LAYOUTS.items() for mode, step in _steps(layout).items()
}


def check_signed(text: str, now: float, keyset: KeySet, options: Options) -> Checked:
    """Everything that needs no store: raises a CredentialError for a code that fails.

    Any other exception is a bug (the property tests drive this function directly
    so that one fails them).
    """
    mode, kid, signed, signature, trailer, version = unverified_split(text)
    key = keyset.get(kid)
    if key is None:
        raise E.UnknownKey()
    return STEPS[version << 8 | mode](key, signed, signature, trailer, now, options)
