"""One exception tree for everything a clerk or a holder can get wrong.

Every refusal carries a stable code (for programs and the HTTP layer to branch on)
and a message in Chinese and English (for the people at the counter). The registry
and the lifecycle both raise these, so a caller has one thing to catch.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Mapping

__all__ = [
    "AlreadyExistsError",
    "ApplicationIncompleteError",
    "EnrolmentInvalidError",
    "ErrorCode",
    "ForbiddenError",
    "InvalidFieldError",
    "InvalidInputError",
    "InvalidStateError",
    "LifecycleError",
    "NotFoundError",
    "OutsideEndorsementWindowError",
    "ProxyNotOnlineError",
    "SeparationOfDutiesError",
    "SlotFullError",
    "SignInError",
]


class ErrorCode(StrEnum):
    """Stable codes; values never change once published."""

    NOT_FOUND = "NOT_FOUND"
    INVALID_STATE = "INVALID_STATE"
    OUTSIDE_ENDORSEMENT_WINDOW = "OUTSIDE_ENDORSEMENT_WINDOW"
    INVALID_INPUT = "INVALID_INPUT"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    ENROLMENT_INVALID = "ENROLMENT_INVALID"
    APPLICATION_INCOMPLETE = "APPLICATION_INCOMPLETE"
    PROXY_NOT_ONLINE = "PROXY_NOT_ONLINE"
    SLOT_FULL = "SLOT_FULL"
    SEPARATION_OF_DUTIES = "SEPARATION_OF_DUTIES"
    FORBIDDEN = "FORBIDDEN"
    SIGN_IN_FAILED = "SIGN_IN_FAILED"


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


class InvalidFieldError(InvalidInputError):
    """Bad input in one named form field, so a page can show the message next to it."""

    def __init__(self, field: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)
        self.field = field


class ApplicationIncompleteError(LifecycleError):
    """An application cannot move on: `problems` maps each field to its (zh, en) message,
    so a page can show every message next to its field."""

    code = ErrorCode.APPLICATION_INCOMPLETE

    def __init__(self, problems: Mapping[str, tuple[str, str]]) -> None:
        super().__init__("申请信息不完整或有误，请按提示修改", "the application is incomplete or has errors")
        self.problems = dict(problems)


class ProxyNotOnlineError(LifecycleError):
    """Online applications are only for the account holder's own ID number (不接受委托代办)."""

    code = ErrorCode.PROXY_NOT_ONLINE


class SlotFullError(LifecycleError):
    code = ErrorCode.SLOT_FULL


class SeparationOfDutiesError(LifecycleError):
    """The officer who accepted an application may not also decide it."""

    code = ErrorCode.SEPARATION_OF_DUTIES


class ForbiddenError(LifecycleError):
    """The officer is signed in but their role may not do this (or they act on their own acceptance)."""

    code = ErrorCode.FORBIDDEN


class SignInError(LifecycleError):
    """Wrong name, password or one-time code, a disabled account, or a lock after failures.

    One message for the first three: which part was wrong would help a guesser.
    """

    code = ErrorCode.SIGN_IN_FAILED
