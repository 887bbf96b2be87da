"""Beijing's sixteen districts and their one-byte codes on the wire.

A QR code has little room, so the district travels as one byte. The code is the
position in this fixed table (1-based), never reordered: codes already printed on
paper slips must keep their meaning. New entries may only be appended.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    code: int
    name_zh: str
    name_en: str
    gb2260: str


DISTRICTS: tuple[District, ...] = (
    District(1, "东城区", "Dongcheng", "110101"),
    District(2, "西城区", "Xicheng", "110102"),
    District(3, "朝阳区", "Chaoyang", "110105"),
    District(4, "丰台区", "Fengtai", "110106"),
    District(5, "石景山区", "Shijingshan", "110107"),
    District(6, "海淀区", "Haidian", "110108"),
    District(7, "门头沟区", "Mentougou", "110109"),
    District(8, "房山区", "Fangshan", "110111"),
    District(9, "通州区", "Tongzhou", "110112"),
    District(10, "顺义区", "Shunyi", "110113"),
    District(11, "昌平区", "Changping", "110114"),
    District(12, "大兴区", "Daxing", "110115"),
    District(13, "怀柔区", "Huairou", "110116"),
    District(14, "平谷区", "Pinggu", "110117"),
    District(15, "密云区", "Miyun", "110118"),
    District(16, "延庆区", "Yanqing", "110119"),
)

_BY_CODE = {d.code: d for d in DISTRICTS}
_BY_NAME = {d.name_zh: d for d in DISTRICTS}


def district_by_code(code: int) -> District:
    """Look up a district by its wire code; KeyError when the code is not in the table."""
    return _BY_CODE[code]


def district_by_name(name_zh: str) -> District:
    """Look up a district by its Chinese name (e.g. "海淀区"); KeyError when unknown."""
    return _BY_NAME[name_zh.strip()]
