"""Every reason code a verdict can carry, and what it means to the person scanning.

A reason code is defined by a ``keys.errors.CredentialError`` subclass (or is
VALID); this table says, per code, how to say it and what to do about it:

* ``message``: one line for the screen, Chinese and English;
* ``tone``: how the scanner shows it: ``valid`` (green), ``check_id`` (amber:
  the code is genuine but does not prove by itself that the bearer is the
  holder), ``unverified`` (amber: no verdict could be reached, nothing is known
  against the holder) or ``refused`` (red);
* ``fault``: whose side the cause is on: the ``holder`` (the code or credential),
  the ``device`` (the scanning device: its clock, key set, software) or the
  ``service`` (the verifier or a store it needs); none for VALID;
* ``action``: the next step for the official, Chinese and English;
* ``remedy``: what the scanner itself can offer, if anything: ``refresh_data``
  (fetch the key set and status list again).

The verifier answers with these messages, the service decides its HTTP status
from ``fault`` (``service`` reasons are 503), and pages receive the whole table
in the messages document, so no list of reasons is kept anywhere else. Adding a
reason: its exception class in keys.errors, its row here, and the one pipeline
step that raises it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .districts import DISTRICTS
from .vocabulary import Label, Mode, PermitType, StatusCode


class Tone(StrEnum):
    VALID = "valid"
    CHECK_ID = "check_id"
    UNVERIFIED = "unverified"
    REFUSED = "refused"


class Remedy(StrEnum):
    REFRESH_DATA = "refresh_data"


class Fault(StrEnum):
    HOLDER = "holder"
    DEVICE = "device"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: Label
    tone: Tone
    fault: Fault | None
    action: Label
    remedy: Remedy | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "zh": self.message.zh,
            "en": self.message.en,
            "tone": self.tone.value,
            "fault": None if self.fault is None else self.fault.value,
            "action": {"zh": self.action.zh, "en": self.action.en},
            "remedy": None if self.remedy is None else self.remedy.value,
        }


_V, _C, _U, _R = Tone.VALID, Tone.CHECK_ID, Tone.UNVERIFIED, Tone.REFUSED
_HOLDER, _DEVICE, _SERVICE = Fault.HOLDER, Fault.DEVICE, Fault.SERVICE

_TABLE: tuple[Reason, ...] = (
    Reason("VALID", Label("有效：居住证件核验通过", "Valid: residence credential verified"), _V, None,
           Label("核对姓名与持证人相符", "Check that the name matches the person")),
    Reason("MALFORMED", Label("无法识别的二维码", "Not a residence permit code"), _R, _HOLDER,
           Label("请持证人出示电子居住证二维码", "Ask for the residence permit code")),
    Reason("UNSUPPORTED_VERSION", Label("二维码版本不受支持，请更新核验设备", "Unsupported code version; update the scanner"),
           _U, _DEVICE, Label("更新核验设备后重新扫码", "Update the scanning device, then scan again")),
    Reason("UNKNOWN_KEY", Label("签发密钥未知，请更新密钥集", "Unknown signing key; refresh the key set"), _U, _DEVICE,
           Label("联网更新密钥集后重新扫码；仍不通过则视为无效", "Go online to refresh the key set and scan again; if it still fails, treat it as invalid"),
           Remedy.REFRESH_DATA),
    Reason("KEY_NOT_VALID_AT_TIME", Label("签发密钥已失效", "Signing key not valid at this time"), _R, _HOLDER,
           Label("请持证人刷新二维码；核对本机时间", "Ask the holder to refresh the code; check this device's clock")),
    Reason("BAD_SIGNATURE", Label("签名无效：疑似伪造", "Bad signature: possibly forged"), _R, _HOLDER,
           Label("不予通过，核验身份证件", "Do not accept; check an identity document")),
    Reason("STALE", Label("二维码已过期：疑似截图或照片，请出示实时二维码", "Code too old: probably a screenshot or photo; show the live code"),
           _R, _HOLDER, Label("请持证人打开实时二维码后重新扫码", "Ask the holder to open the live code, then scan again")),
    Reason("NOT_YET_VALID", Label("二维码时间超前：请检查设备时间", "Code from the future: check the device clocks"), _U, _DEVICE,
           Label("核对本机与持证人手机的时间后重新扫码", "Check this device's and the holder's phone clocks, then scan again")),
    Reason("BAD_TOTP", Label("动态校验码错误", "Wrong one-time code"), _R, _HOLDER,
           Label("请持证人刷新离线码后重新扫码", "Ask the holder to refresh the offline pass, then scan again")),
    Reason("BAD_DEVICE_SIGNATURE", Label("设备签名无效：此离线码不是由绑定的手机出示的",
                                         "Bad device signature: this offline code was not shown by the phone it is bound to"),
           _R, _HOLDER, Label("不予通过，核验身份证件", "Do not accept; check an identity document")),
    Reason("LIVENESS_UNVERIFIABLE", Label("离线码无法在本设备核验实时性，请联网核验", "Offline code: liveness cannot be checked on this device; verify online"),
           _C, _DEVICE, Label("联网核验，或核验身份证件", "Verify online, or check an identity document")),
    Reason("CREDENTIAL_EXPIRED", Label("证件已过有效期", "Credential expired"), _R, _HOLDER,
           Label("告知持证人办理签注或换领", "Tell the holder to renew (签注) the permit")),
    Reason("SUSPENDED", Label("证件已暂停使用", "Credential suspended"), _R, _HOLDER,
           Label("不予通过，告知持证人联系签发机关", "Do not accept; refer the holder to the issuing office")),
    Reason("REVOKED", Label("证件已注销", "Credential revoked"), _R, _HOLDER,
           Label("不予通过，告知持证人联系签发机关", "Do not accept; refer the holder to the issuing office")),
    Reason("SUPERSEDED", Label("证件已变更：此码属于旧版本或已作废的确认单", "Replaced after a change: this code is an earlier version or a voided slip"),
           _R, _HOLDER, Label("请持证人出示当前证件：刷新手机上的二维码，或出示最新打印的确认单",
                              "Ask for the current permit: the holder refreshes the code on the phone, or shows the latest printed slip")),
    Reason("REPLAYED", Label("二维码已被使用过：请刷新后重新出示", "Code already used: refresh and show it again"), _R, _HOLDER,
           Label("请持证人刷新二维码后重新扫码", "Ask the holder to refresh the code, then scan again")),
    Reason("SERVICE_UNAVAILABLE", Label("核验服务暂不可用，请稍后重试", "Verification service unavailable; try again"), _U, _SERVICE,
           Label("稍后重试，或离线核验", "Try again shortly, or verify offline")),
    Reason("STATUS_STALE", Label("证件状态数据过旧，暂不能核验", "Status data too old to verify"), _U, _SERVICE,
           Label("联网更新状态数据后重试", "Go online to refresh the status data, then try again"), Remedy.REFRESH_DATA),
    Reason("INTERNAL_ERROR", Label("核验服务内部错误，请稍后重试", "Internal error in the verification service; try again"),
           _U, _SERVICE, Label("稍后重试；仍不通过请报告技术支持", "Try again shortly; report it if it persists")),
)

#: reason code -> its row, in the order above (VALID first)
REASONS_BY_CODE: dict[str, Reason] = {r.code: r for r in _TABLE}
REASONS: tuple[str, ...] = tuple(REASONS_BY_CODE)
#: reasons that describe the service rather than the code (answered with HTTP 503)
SERVICE_REASONS: frozenset[str] = frozenset(r.code for r in _TABLE if r.fault is Fault.SERVICE)


def reason(code: str) -> Reason:
    """The row of a reason code; an unknown code reads as MALFORMED, never as VALID."""
    return REASONS_BY_CODE.get(code) or REASONS_BY_CODE["MALFORMED"]


def message(code: str) -> dict[str, str]:
    """The bilingual message of a reason code, as sent over HTTP."""
    text = reason(code).message
    return {"zh": text.zh, "en": text.en}


def _labelled(label: Label, **extra: Any) -> dict[str, Any]:
    return {**extra, "zh": label.zh, "en": label.en}


def messages_document() -> dict[str, Any]:
    """Everything a page needs to put words on a verdict, as JSON.

    ``reasons``: per code its message, tone, fault and action; ``districts``,
    ``permit_types`` and ``statuses`` by their number; ``modes`` by their name.
    Served by the verifier (``GET /scan/messages.json``) so the scanner never
    keeps its own copy.
    """
    return {
        "reasons": {r.code: r.to_json() for r in _TABLE},
        "tones": [t.value for t in Tone],
        "faults": [f.value for f in Fault],
        "districts": {str(d.code): {"zh": d.name_zh, "en": d.name_en} for d in DISTRICTS},
        "permit_types": {str(int(t)): _labelled(t.label, type=t.name) for t in PermitType},
        "modes": {m.name: _labelled(m.label, code=int(m)) for m in Mode},
        "statuses": {str(int(s)): _labelled(s.label, status=s.name) for s in StatusCode},
    }
