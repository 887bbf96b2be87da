"""The legacy export: how to read it and what makes a row acceptable.

Exports of the system that issued physical cards since 2016 come as CSV, UTF-8
with a BOM or GBK depending on the office, one row per card:

    证件编号, 证件类型, 姓名, 公民身份号码, 居住地址, 所属区, 签发日期, 有效期至

Each row is checked in a fixed order and the first problem found is its defect
code, so a report is stable and can be compared line by line with an expected
list (see /work/shared/data/*.defects for the vocabulary). Duplicates within one
file are found by the caller, which sees all rows; see `issuer.migration`.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from functools import lru_cache
from operator import itemgetter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from issuer.idnumber import IdNumberError, validate_id_number
from issuer.model import NewCredential, Status
from keys.vocabulary import PermitType
from keys.districts import DISTRICTS

__all__ = [
    "COLUMNS",
    "ExportFormatError",
    "LegacyRow",
    "RowValidator",
    "column_positions",
    "decode_export",
]

COLUMNS: tuple[str, ...] = (
    "证件编号", "证件类型", "姓名", "公民身份号码", "居住地址", "所属区", "签发日期", "有效期至",
)
_CARD_NUMBER = re.compile(r"[A-Za-z0-9]{1,32}")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DISTRICT_CODES = {d.name_zh: d.code for d in DISTRICTS}


class ExportFormatError(ValueError):
    """The file as a whole cannot be read (encoding, header); no row is looked at."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def decode_export(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM dropped; "utf-8-sig" if there was one), else GBK.

    Real GBK text with Chinese in it is practically never valid UTF-8, so trying
    UTF-8 first and falling back is reliable for these files.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        return data.decode("gbk"), "gbk"
    except UnicodeDecodeError:
        raise ExportFormatError("bad_encoding", "file is neither UTF-8 nor GBK") from None


def column_positions(header: Sequence[str]) -> tuple[int, ...]:
    """Position of each expected column in the file's header (order may differ)."""
    names = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ExportFormatError("bad_header", "missing columns: " + ", ".join(missing))
    return tuple(names.index(c) for c in COLUMNS)


@dataclass(frozen=True)
class LegacyRow:
    """A row that passed every check, ready to become a credential."""

    line: int
    credential: NewCredential
    fingerprint: str

    @property
    def card_number(self) -> str:
        assert self.credential.card_number is not None
        return self.credential.card_number


class RowValidator:
    """Checks rows against one day (`today`) and one header layout.

    Built once per import so per-row work is lookups and a few comparisons; this is
    what keeps a 100,000-row import in seconds.
    """

    def __init__(self, positions: tuple[int, ...], width: int, today: date) -> None:
        self._positions = positions
        self._fields = itemgetter(*positions)
        self._width = width
        self._today = today

    def card_number(self, row: Sequence[str]) -> str | None:
        """The row's key, or None when the row is too broken to have one."""
        if len(row) != self._width:
            return None
        card = row[self._positions[0]].strip()
        return card if _CARD_NUMBER.fullmatch(card) else None

    def check(self, line: int, row: Sequence[str]) -> LegacyRow | str:
        """The accepted row, or the code of its first defect."""
        if len(row) != self._width:
            return "bad_columns"
        card, kind, name, idn, address, district, issued, until = map(str.strip, self._fields(row))
        if not card:
            return "empty_card_number"
        if not _CARD_NUMBER.fullmatch(card):
            return "bad_card_number"
        try:
            permit_type = PermitType.from_zh(kind)
        except KeyError:
            return "bad_type"
        if not name:
            return "empty_name"
        try:
            id_number = validate_id_number(idn, today=self._today)
        except IdNumberError as exc:
            return exc.code
        if not address:
            return "empty_address"
        district_code = _DISTRICT_CODES.get(district)
        if district_code is None:
            return "unknown_district"
        issued_on, valid_until = _parse_date(issued), _parse_date(until)
        if issued_on is None or valid_until is None:
            return "bad_date"
        if issued_on > self._today:
            return "issued_in_future"
        if valid_until <= issued_on:
            return "expiry_before_issue"
        status = Status.EXPIRED if valid_until < self._today else Status.ACTIVE
        credential = NewCredential(
            permit_type=permit_type, holder_name=name, id_number=id_number, address=address,
            district_code=district_code, issued_on=issued_on, valid_from=issued_on,
            valid_until=valid_until, card_number=card, status=status,
        )
        fields = (card, str(int(permit_type)), name, id_number, address, str(district_code),
                  issued_on.isoformat(), valid_until.isoformat())
        digest = hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()
        return LegacyRow(line, credential, digest)


@lru_cache(maxsize=8192)
def _parse_date(text: str) -> date | None:
    """YYYY-MM-DD only: the export's format, so anything else is a data error.

    Remembered: an export of millions of cards has a few thousand distinct dates.
    """
    m = _ISO_DATE.fullmatch(text)
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
