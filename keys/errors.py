"""One exception tree for everything that can be wrong with a presented code.

Every failure carries a stable ``reason`` code that clients may switch on; what
the code means to the person holding the scanner (message, tone, fault, next
action, in Chinese and English) is its row in ``keys.reasons``. The
codes never change meaning; new ones may be added. Details that would help an
attacker (which byte was wrong, which check came close) are deliberately not
carried: a forged code and a garbled one look alike from outside.
"""

from __future__ import annotations

from typing import ClassVar

from .reasons import message


class CredentialError(Exception):
    """Base of every refusal. ``reason`` is the stable code."""

    reason: ClassVar[str] = "MALFORMED"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)
        self.detail = detail

    @property
    def message(self) -> dict[str, str]:
        return message(self.reason)


class Malformed(CredentialError):
    reason = "MALFORMED"


class UnsupportedVersion(CredentialError):
    reason = "UNSUPPORTED_VERSION"


class UnknownKey(CredentialError):
    reason = "UNKNOWN_KEY"


class KeyNotValidAtTime(CredentialError):
    reason = "KEY_NOT_VALID_AT_TIME"


class BadSignature(CredentialError):
    reason = "BAD_SIGNATURE"


class Stale(CredentialError):
    reason = "STALE"


class NotYetValid(CredentialError):
    reason = "NOT_YET_VALID"


class BadTotp(CredentialError):
    reason = "BAD_TOTP"


class BadDeviceSignature(CredentialError):
    """A device-bound pass whose time step was not signed by the pass's own device key:
    a copy of the pass on another phone, or an altered step."""

    reason = "BAD_DEVICE_SIGNATURE"


class LivenessUnverifiable(CredentialError):
    reason = "LIVENESS_UNVERIFIABLE"


class CredentialExpired(CredentialError):
    reason = "CREDENTIAL_EXPIRED"


class Suspended(CredentialError):
    reason = "SUSPENDED"


class Revoked(CredentialError):
    reason = "REVOKED"


class Superseded(Revoked):
    """Replaced by a later version (a change) or a reprinted slip: refused, but the holder has a current one."""

    reason = "SUPERSEDED"


class Replayed(CredentialError):
    reason = "REPLAYED"


class ServiceUnavailable(CredentialError):
    """A store the verdict depends on could not be reached: fail closed."""

    reason = "SERVICE_UNAVAILABLE"


class StatusStale(CredentialError):
    reason = "STATUS_STALE"


class InternalError(CredentialError):
    """The verifier itself failed (a bug, not the code): logged, counted, never VALID."""

    reason = "INTERNAL_ERROR"
