"""The answer the verification pipeline gives for one presented code."""

from __future__ import annotations

from typing import NamedTuple

from keys.reasons import message
from keys.wire import Claims


class Verdict(NamedTuple):
    """``valid`` is true only with reason ``VALID``.

    Immutable (a NamedTuple, the cheapest immutable value to build on a path
    that is measured against a single Ed25519 verify).

    ``mode`` is the mode's name (``keys.vocabulary.MODE_NAMES``), None when the
    code could not be read. ``claims`` is present whenever the signature
    verified, even if the code was then refused (a revoked or replayed code
    still names its credential, which the audit log needs); callers decide what
    a given audience may see. ``requires_id_check`` is set for paper slips: a
    static code proves the slip is genuine, not that its bearer is the holder,
    so the checker must compare an identity document.
    """

    valid: bool
    reason: str
    mode: str | None
    claims: Claims | None
    checked_at: float
    requires_id_check: bool = False

    @property
    def message(self) -> dict[str, str]:
        return message(self.reason)
