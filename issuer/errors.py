"""One exception tree for everything a clerk or a holder can get wrong.

Every refusal carries a stable code (for programs and the HTTP layer to branch on)
and a message in Chinese and English (for the people at the counter). The registry
and the lifecycle both raise these, so a caller has one thing to catch.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

__all__ = [
    "AlreadyExistsError",
    "EnrolmentInvalidError",
    "ErrorCode",
    "InvalidInputError",
    "InvalidStateError",
    "LifecycleError",
    "NotFoundError",
    "OutsideEndorsementWindowError",
]


class ErrorCode(StrEnum):
    """Stable codes; values never change once published."""

    NOT_FOUND = "NOT_FOUND"
    INVALID_STATE = "INVALID_STATE"
    OUTSIDE_ENDORSEMENT_WINDOW = "OUTSIDE_ENDORSEMENT_WINDOW"
    INVALID_INPUT = "INVALID_INPUT"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    ENROLMENT_INVALID = "ENROLMENT_INVALID"


class LifecycleError(Exception):
    """Base of all refusals: `code`, `message_zh`, `message_en`.

    `str()` gives one line with both languages, which is what the CLI prints.
    """

    code: ClassVar[ErrorCode]

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"[{self.code}] {message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


class NotFoundError(LifecycleError):
    code = ErrorCode.NOT_FOUND


class InvalidStateError(LifecycleError):
    code = ErrorCode.INVALID_STATE


class OutsideEndorsementWindowError(LifecycleError):
    code = ErrorCode.OUTSIDE_ENDORSEMENT_WINDOW


class InvalidInputError(LifecycleError):
    code = ErrorCode.INVALID_INPUT


class AlreadyExistsError(LifecycleError):
    code = ErrorCode.ALREADY_EXISTS


class EnrolmentInvalidError(LifecycleError):
    """Unknown, already used or expired enrolment code.

    The three cases share one message on purpose: telling them apart would help
    someone guessing codes more than it helps a holder, who just asks for a new one.
    """

    code = ErrorCode.ENROLMENT_INVALID
