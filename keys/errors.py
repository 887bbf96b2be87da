"""One exception tree for everything that can be wrong with a presented code.

Every failure carries a stable ``reason`` code that clients may switch on, and a
short message in Chinese and English for the person holding the scanner. The
codes never change meaning; new ones may be added. Details that would help an
attacker (which byte was wrong, which check came close) are deliberately not
carried: a forged code and a garbled one look alike from outside.
"""

from __future__ import annotations

from typing import ClassVar

#: reason code -> (Chinese, English). VALID is listed so clients can show one table.
MESSAGES: dict[str, tuple[str, str]] = {
    "VALID": ("有效：居住证件核验通过", "Valid: residence credential verified"),
    "MALFORMED": ("无法识别的二维码", "Not a residence permit code"),
    "UNSUPPORTED_VERSION": ("二维码版本不受支持，请更新核验设备", "Unsupported code version; update the scanner"),
    "UNKNOWN_KEY": ("签发密钥未知，请更新密钥集", "Unknown signing key; refresh the key set"),
    "KEY_NOT_VALID_AT_TIME": ("签发密钥已失效", "Signing key not valid at this time"),
    "BAD_SIGNATURE": ("签名无效：疑似伪造", "Bad signature: possibly forged"),
    "STALE": ("二维码已过期：疑似截图或照片，请出示实时二维码", "Code too old: probably a screenshot or photo; show the live code"),
    "NOT_YET_VALID": ("二维码时间超前：请检查设备时间", "Code from the future: check the device clocks"),
    "BAD_TOTP": ("动态校验码错误", "Wrong one-time code"),
    "BAD_DEVICE_SIGNATURE": (
        "设备签名无效：此离线码不是由绑定的手机出示的",
        "Bad device signature: this offline code was not shown by the phone it is bound to",
    ),
    "LIVENESS_UNVERIFIABLE": ("离线码无法在本设备核验实时性，请联网核验", "Offline code: liveness cannot be checked on this device; verify online"),
    "CREDENTIAL_EXPIRED": ("证件已过有效期", "Credential expired"),
    "SUSPENDED": ("证件已暂停使用", "Credential suspended"),
    "REVOKED": ("证件已注销或已变更", "Credential revoked or superseded"),
    "REPLAYED": ("二维码已被使用过：请刷新后重新出示", "Code already used: refresh and show it again"),
    "SERVICE_UNAVAILABLE": ("核验服务暂不可用，请稍后重试", "Verification service unavailable; try again"),
    "STATUS_STALE": ("证件状态数据过旧，暂不能核验", "Status data too old to verify"),
}


def message(reason: str) -> dict[str, str]:
    """The bilingual message for a reason code, as sent over HTTP."""
    zh, en = MESSAGES.get(reason, MESSAGES["MALFORMED"])
    return {"zh": zh, "en": en}


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


class Replayed(CredentialError):
    reason = "REPLAYED"


class ServiceUnavailable(CredentialError):
    """A store the verdict depends on could not be reached: fail closed."""

    reason = "SERVICE_UNAVAILABLE"


class StatusStale(CredentialError):
    reason = "STATUS_STALE"


REASONS: tuple[str, ...] = tuple(MESSAGES)
