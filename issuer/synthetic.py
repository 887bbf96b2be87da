"""Synthetic legacy exports: realistic-looking rows for load tests and demos.

Generated from a seed, so the same call always yields the same file, and every
name, ID number and address is made up. Defects can be planted at known lines,
which lets a test check an import report against what it should say, the same way
the shared sample comes with its .defects file.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from issuer.idnumber import check_character
from issuer.legacy import COLUMNS
from keys.districts import DISTRICTS

__all__ = ["DEFECT_KINDS", "SyntheticExport", "synthetic_export"]

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞建文辉力斌宇浩凯波宁欣"
    "怡然梓涵轩诺雨婷晨阳思琪佳瑶"
)
_STREETS = ("建国路", "学院路", "府前街", "新华大街", "中关村大街", "丰台北路", "酒仙桥路",
            "天通苑北街", "回龙观西大街", "南三环西路", "石景山路", "北苑路")
_AREAS = ("110101", "130102", "140105", "210102", "230103", "320102", "340102", "360102",
          "370102", "410102", "420102", "430102", "500101", "510104", "610102", "620102")

# Planted defects and the code an importer must report for each.
DEFECT_KINDS: tuple[str, ...] = (
    "unknown_district", "expiry_before_issue", "bad_check_digit", "bad_date",
    "bad_birth_date", "empty_name", "bad_type", "bad_columns", "duplicate",
)


@dataclass(frozen=True)
class SyntheticExport:
    """Rows (header first) and the expected defect code per line number."""

    rows: tuple[tuple[str, ...], ...]
    defects: dict[int, str]

    def to_bytes(self, encoding: str = "utf-8-sig") -> bytes:
        """CSV with CRLF line ends, as the legacy system writes it."""
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerows(self.rows)
        return buffer.getvalue().encode(encoding)

    def defects_text(self) -> str:
        return "".join(f"{line}\t{code}\n" for line, code in sorted(self.defects.items()))


def synthetic_export(
    count: int, *, seed: int = 0, defect_rate: float = 0.0
) -> SyntheticExport:
    """`count` data rows; about `defect_rate` of them carry one planted defect each.

    About one card in seven has already expired by 2026, as in real exports.
    """
    rng = random.Random(seed)
    rows: list[tuple[str, ...]] = [COLUMNS]
    defects: dict[int, str] = {}
    for n in range(1, count + 1):
        line = n + 1
        if rng.random() < defect_rate:
            kind = rng.choice(DEFECT_KINDS)
            if kind == "duplicate" and len(rows) > 1:
                source = rng.randrange(1, len(rows))
                while source + 1 in defects:  # copy a clean row so the code is unambiguous
                    source = rng.randrange(1, len(rows))
                rows.append(rows[source])
                defects[line] = f"duplicate_of_line_{source + 1}"
                continue
            if kind != "duplicate":
                rows.append(_defective(_row(rng, n), kind))
                defects[line] = kind
                continue
        rows.append(_row(rng, n))
    return SyntheticExport(tuple(rows), defects)


def _row(rng: random.Random, n: int) -> tuple[str, ...]:
    registration = rng.random() < 0.3
    issued = date(2016, 1, 1) + timedelta(days=rng.randrange(365 * 5))
    years = 11 if rng.random() < 0.85 else rng.randint(1, 5)
    until = issued.replace(year=issued.year + years) if issued.day < 29 else (
        issued.replace(day=28, year=issued.year + years))
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(365 * 50))
    first17 = f"{rng.choice(_AREAS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    district = rng.choice(DISTRICTS).name_zh
    address = (f"北京市{district}{rng.choice(_STREETS)}{rng.randrange(1, 300)}号"
               f"{rng.randrange(1, 30)}单元{rng.randrange(101, 2600)}室")
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))
    return (
        f"{'DJK' if registration else 'JZZ'}{issued.year}{n:08d}",
        "居住登记卡" if registration else "居住证",
        name,
        first17 + check_character(first17),
        address,
        district,
        issued.isoformat(),
        until.isoformat(),
    )


def _defective(row: tuple[str, ...], kind: str) -> tuple[str, ...]:
    fields = list(row)
    if kind == "unknown_district":
        fields[5] = "浦东新区"
    elif kind == "expiry_before_issue":
        fields[7] = "2015-01-01"
    elif kind == "bad_check_digit":
        correct = fields[3][17]
        fields[3] = fields[3][:17] + ("0" if correct != "0" else "1")
    elif kind == "bad_date":
        fields[6] = "2019-02-30"
    elif kind == "bad_birth_date":
        first17 = fields[3][:10] + "13" + fields[3][12:17]  # month 13
        fields[3] = first17 + check_character(first17)
    elif kind == "empty_name":
        fields[2] = ""
    elif kind == "bad_type":
        fields[1] = "暂住证"
    elif kind == "bad_columns":
        del fields[4]
    return tuple(fields)
