"""The terms issuer, verifier and pages share, each with its Chinese and English name.

A permit type, a code's mode and a status-list code are numbers on the wire and
in the registry; people read them as words. Both live here, once, so the
holder page, the officials' console, the verifier's JSON and the scanner show
the same word for the same thing (the scanner and the holder page receive them
in the messages document, ``keys.reasons.messages_document``).

The numbers never change meaning: they are printed on paper slips and stored
in the registry. New members may only be added.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag
from typing import Iterable, NamedTuple


class Label(NamedTuple):
    """A name as people read it, in Chinese and English."""

    zh: str
    en: str


class PermitType(IntEnum):
    """The kind of residence document (three bits on the wire)."""

    RESIDENCE_PERMIT = 1  # 居住证
    REGISTRATION_CARD = 2  # 居住登记卡

    @property
    def label(self) -> Label:
        return _PERMIT_TYPE_LABELS[self]

    @property
    def name_zh(self) -> str:
        return _PERMIT_TYPE_LABELS[self].zh

    @property
    def name_en(self) -> str:
        return _PERMIT_TYPE_LABELS[self].en

    @classmethod
    def from_zh(cls, text: str) -> PermitType:
        """The type named by its Chinese name (an export's 证件类型 column); KeyError when neither."""
        return _PERMIT_TYPE_BY_ZH[text.strip()]


_PERMIT_TYPE_LABELS: dict[PermitType, Label] = {
    PermitType.RESIDENCE_PERMIT: Label("居住证", "Residence permit"),
    PermitType.REGISTRATION_CARD: Label("居住登记卡", "Residence registration card"),
}
_PERMIT_TYPE_BY_ZH = {label.zh: kind for kind, label in _PERMIT_TYPE_LABELS.items()}


class Mode(IntEnum):
    """How a code proves it is presented live (one byte of the header, see keys.wire)."""

    MINTED = 1  # a live code minted per time step by the issuer
    PASS = 2  # an offline pass: signed once, a one-time code per step added by the phone
    PAPER = 3  # a static code printed on a stamped paper slip
    DEVICE = 4  # a device-bound pass: the phone's own key signs each time step

    @property
    def label(self) -> Label:
        return _MODE_LABELS[self]


_MODE_LABELS: dict[Mode, Label] = {
    Mode.MINTED: Label("实时码", "live code"),
    # the weaker offline mode, for browsers that cannot make a device key: said wherever it is named
    Mode.PASS: Label("离线码（一次性码，较弱模式）", "offline pass (one-time code, weaker mode)"),
    Mode.PAPER: Label("纸质确认单", "paper slip"),
    Mode.DEVICE: Label("设备绑定离线码", "device-bound offline code"),
}

#: mode number -> its name as the JSON APIs and the audit log spell it ("MINTED", ...)
MODE_NAMES: dict[int, str] = {int(m): m.name for m in Mode}


class StatusCode(IntEnum):
    """What the signed status list says about one index (two bits, see keys.statuslist)."""

    ACTIVE = 0
    SUSPENDED = 1
    REVOKED = 2
    #: an earlier version after a change (a change of address gets a new index), or a
    #: paper slip voided by a reprint: the holder has a current one to show instead
    SUPERSEDED = 3

    @property
    def label(self) -> Label:
        return _STATUS_LABELS[self]


_STATUS_LABELS: dict[StatusCode, Label] = {
    StatusCode.ACTIVE: Label("有效", "Active"),
    StatusCode.SUSPENDED: Label("已暂停", "Suspended"),
    StatusCode.REVOKED: Label("已注销", "Revoked"),
    StatusCode.SUPERSEDED: Label("已被新版本取代", "Replaced"),
}

#: The claims a verifier may be shown, by the names the verdict bodies use (verifier.disclosure),
#: in words a holder reads on the record of who checked their permit.
CLAIM_FIELD_LABELS: dict[str, Label] = {
    "name": Label("姓名", "name"),
    "id_number_masked": Label("身份证号（仅后四位）", "ID number (last four only)"),
    "id_tail": Label("身份证号后四位", "last four ID characters"),
    "district": Label("所属区", "district"),
    "permit_type": Label("证件类型", "permit type"),
    "valid_until": Label("有效期", "validity"),
}

#: The verifier roles (API keys and organisations), as a holder reads them.
VERIFIER_ROLE_LABELS: dict[str, Label] = {
    "official": Label("公务核验（公安、登记机关）", "official (police, registration office)"),
    "business": Label("单位核验（房东、用人单位等）", "business (landlord, employer, ...)"),
}


class Disclosure(IntFlag):
    """What a holder agreed to show a business with one code (wire v2, the ``disclose`` byte).

    Permit type, district and validity are always shown for a valid code; these
    are the fields beyond them. The byte is 0 when the holder made no choice (a
    business sees what it always has); otherwise it carries ``DISCLOSURE_CHOSEN``
    and one bit per field, so "nothing beyond validity" is a choice of its own.
    """

    NAME = 0x01
    ID_TAIL = 0x02

    @property
    def label(self) -> Label:
        return _DISCLOSURE_LABELS[self]

    @property
    def field(self) -> str:
        """The field's name in the business verdict's ``disclosed`` object and in the issuer's API."""
        return _DISCLOSURE_FIELDS[self]


#: set in every ``disclose`` byte that carries the holder's choice
DISCLOSURE_CHOSEN = 0x80
#: every bit a ``disclose`` byte may carry; any other makes the code MALFORMED
DISCLOSURE_BITS = DISCLOSURE_CHOSEN | Disclosure.NAME | Disclosure.ID_TAIL

_DISCLOSURE_FIELDS: dict[Disclosure, str] = {Disclosure.NAME: "name", Disclosure.ID_TAIL: "id_tail"}
#: a field's words are the claim's own (CLAIM_FIELD_LABELS), so the holder reads one name for one thing
_DISCLOSURE_LABELS: dict[Disclosure, Label] = {d: CLAIM_FIELD_LABELS[f] for d, f in _DISCLOSURE_FIELDS.items()}
#: field name -> its bit, in the order the fields are listed
DISCLOSURE_BY_FIELD: dict[str, Disclosure] = {f: d for d, f in _DISCLOSURE_FIELDS.items()}


def disclosure_byte(fields: Iterable[str]) -> int:
    """The ``disclose`` byte for a holder's choice of field names (an empty choice is still a choice).

    ValueError names the first field that is not one of ``DISCLOSURE_BY_FIELD``.
    """
    value = DISCLOSURE_CHOSEN
    for name in fields:
        bit = DISCLOSURE_BY_FIELD.get(name)
        if bit is None:
            raise ValueError(f"not a disclosable field: {name!r}")
        value |= bit
    return value


def disclosed_field_names(value: int) -> tuple[str, ...] | None:
    """The field names a ``disclose`` byte chose, in ``DISCLOSURE_BY_FIELD`` order; None when no choice."""
    if not value & DISCLOSURE_CHOSEN:
        return None
    return tuple(f for f, bit in DISCLOSURE_BY_FIELD.items() if value & bit)
