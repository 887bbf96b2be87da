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

The pipeline lives in ``verifier.pipeline``: ``checked`` (policy and the checked
code), ``steps`` (``check_signed``, one step per mode and wire version),
``decide`` (status, liveness, replay, the verdicts) and ``run`` (``verify``,
``verify_batch``). This module is the name callers import them by.

Adding a check: in the step of the mode it concerns in ``pipeline/steps.py`` (or
``authentic`` there for all modes), raising a ``keys.errors`` class whose reason
is described in ``keys.reasons``. Adding a mode: its layout in keys.wire, its
step there, its entry in the mapping ``_steps`` returns.
"""

from __future__ import annotations

from .pipeline.checked import REPLAY_SLACK_S, BadPassCode, Checked, Options
from .pipeline.steps import STEPS, check_signed
from .pipeline.run import verify, verify_batch

__all__ = ["REPLAY_SLACK_S", "STEPS", "BadPassCode", "Checked", "Options", "check_signed", "verify", "verify_batch"]
