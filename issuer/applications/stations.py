"""The directory of stations where applicants are received: 派出所 and 流管站.

Each station belongs to one of Beijing's sixteen districts (keys.districts), opens
on certain weekdays, and receives a fixed number of applicants per half day. The
directory is seeded with a sample of two stations per district on first use and
is edited by an administrator (`StationDirectory.save`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from issuer.errors import InvalidInputError, NotFoundError
from keys.districts import DISTRICTS

from .sql import Sql

__all__ = ["SEED", "Station", "StationDirectory"]


@dataclass(frozen=True)
class Station:
    station_id: str
    kind: str  # "police" (派出所) or "service" (流动人口服务站)
    name_zh: str
    name_en: str
    district_code: int
    address: str
    open_days: tuple[int, ...]  # ISO weekdays, 1 = Monday
    capacity_am: int
    capacity_pm: int
    active: bool = True

    @property
    def kind_zh(self) -> str:
        return "派出所" if self.kind == "police" else "流动人口服务站"

    def capacity(self, half: str) -> int:
        return self.capacity_am if half == "am" else self.capacity_pm

    def opens_on_weekday(self, day: date) -> bool:
        """Whether the station's week includes this day; make-up Saturdays (调休) always do."""
        return day.isoweekday() in self.open_days or day.weekday() >= 5


_SAMPLE = (
    # district: (police station, street), (service station, street)
    ("东华门派出所", "Donghuamen Police Station", "东华门大街1号", "和平里流管站", "Hepingli Service Station", "和平里东街11号"),
    ("什刹海派出所", "Shichahai Police Station", "地安门西大街42号", "金融街流管站", "Financial Street Service Station", "丰盛胡同28号"),
    ("建外派出所", "Jianwai Police Station", "建国门外大街22号", "望京流管站", "Wangjing Service Station", "望京街9号"),
    ("方庄派出所", "Fangzhuang Police Station", "方庄路6号", "卢沟桥流管站", "Lugouqiao Service Station", "卢沟桥路88号"),
    ("八角派出所", "Bajiao Police Station", "八角北路15号", "鲁谷流管站", "Lugu Service Station", "鲁谷路74号"),
    ("中关村派出所", "Zhongguancun Police Station", "中关村大街27号", "学院路流管站", "Xueyuanlu Service Station", "学院路30号"),
    ("大峪派出所", "Dayu Police Station", "新桥大街3号", "城子流管站", "Chengzi Service Station", "城子大街12号"),
    ("良乡派出所", "Liangxiang Police Station", "拱辰大街100号", "拱辰流管站", "Gongchen Service Station", "西潞大街6号"),
    ("北苑派出所", "Beiyuan Police Station", "新华西街58号", "梨园流管站", "Liyuan Service Station", "梨园中街2号"),
    ("胜利派出所", "Shengli Police Station", "府前街10号", "仁和流管站", "Renhe Service Station", "仁和路5号"),
    ("城北派出所", "Chengbei Police Station", "政府街19号", "回龙观流管站", "Huilongguan Service Station", "回龙观西大街9号"),
    ("黄村派出所", "Huangcun Police Station", "兴华大街二段3号", "亦庄流管站", "Yizhuang Service Station", "荣华中路8号"),
    ("泉河派出所", "Quanhe Police Station", "府前街2号", "龙山流管站", "Longshan Service Station", "青春路7号"),
    ("滨河派出所", "Binhe Police Station", "府前街6号", "兴谷流管站", "Xinggu Service Station", "兴谷路18号"),
    ("鼓楼派出所", "Gulou Police Station", "鼓楼东大街1号", "果园流管站", "Guoyuan Service Station", "果园西路3号"),
    ("儒林派出所", "Rulin Police Station", "妫水北街4号", "百泉流管站", "Baiquan Service Station", "百泉街10号"),
)


def _seed() -> tuple[Station, ...]:
    out: list[Station] = []
    for district, (p_zh, p_en, p_addr, s_zh, s_en, s_addr) in zip(DISTRICTS, _SAMPLE, strict=True):
        city = f"北京市{district.name_zh}"
        out.append(Station(f"{district.code:02d}-P", "police", p_zh, p_en, district.code, city + p_addr,
                           (1, 2, 3, 4, 5), 6, 4))
        out.append(Station(f"{district.code:02d}-S", "service", s_zh, s_en, district.code, city + s_addr,
                           (1, 2, 3, 4, 5), 4, 4))
    return tuple(out)


#: The sample directory: a police station and a service station in each district.
SEED: tuple[Station, ...] = _seed()
_COLUMNS = "station_id, kind, name_zh, name_en, district_code, address, open_days, capacity_am, capacity_pm, active"


class StationDirectory:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql
        if self.sql.scalar("SELECT count(*) FROM stations") == 0:
            with self.sql.transaction():
                if self.sql.scalar("SELECT count(*) FROM stations") == 0:
                    for station in SEED:
                        self._insert(station)

    def get(self, station_id: str) -> Station:
        row = self.sql.one(f"SELECT {_COLUMNS} FROM stations WHERE station_id = ?", (station_id,))
        if row is None:
            raise NotFoundError(f"服务站 {station_id} 不存在", f"station {station_id} not found")
        return _station(row)

    def in_district(self, district_code: int) -> list[Station]:
        rows = self.sql.all(f"SELECT {_COLUMNS} FROM stations WHERE district_code = ? AND active = 1 "
                            "ORDER BY station_id", (district_code,))
        return [_station(r) for r in rows]

    def all(self) -> list[Station]:
        return [_station(r) for r in self.sql.all(f"SELECT {_COLUMNS} FROM stations ORDER BY station_id")]

    def save(self, station: Station, *, today: date) -> Station:
        """Add or edit a station (administrator). Places already booked on future days stay
        booked: a lowered capacity never goes below what is booked."""
        if not 1 <= len(station.station_id) <= 16 or not station.name_zh.strip() or not station.address.strip():
            raise InvalidInputError("服务站信息不完整", "station id, name and address are required")
        if not set(station.open_days) <= set(range(1, 8)) or min(station.capacity_am, station.capacity_pm) < 0:
            raise InvalidInputError("开放日或容量无效", "invalid opening days or capacity")
        with self.sql.transaction():
            if self.sql.one("SELECT 1 FROM stations WHERE station_id = ?", (station.station_id,)):
                self.sql.run(
                    "UPDATE stations SET kind = ?, name_zh = ?, name_en = ?, district_code = ?, address = ?, "
                    "open_days = ?, capacity_am = ?, capacity_pm = ?, active = ? WHERE station_id = ?",
                    (station.kind, station.name_zh, station.name_en, station.district_code, station.address,
                     _days(station.open_days), station.capacity_am, station.capacity_pm, int(station.active),
                     station.station_id))
                for half, cap in (("am", station.capacity_am), ("pm", station.capacity_pm)):
                    self.sql.run("UPDATE slots SET capacity = CASE WHEN booked > ? THEN booked ELSE ? END "
                                 "WHERE station_id = ? AND half = ? AND day > ?",
                                 (cap, cap, station.station_id, half, today.isoformat()))
            else:
                self._insert(station)
        return self.get(station.station_id)

    def _insert(self, s: Station) -> None:
        self.sql.run(f"INSERT INTO stations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (s.station_id, s.kind, s.name_zh, s.name_en, s.district_code, s.address,
                      _days(s.open_days), s.capacity_am, s.capacity_pm, int(s.active)))


def _days(days: tuple[int, ...]) -> str:
    return ",".join(str(d) for d in sorted(set(days)))


def _station(r: tuple[object, ...]) -> Station:
    return Station(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(str(r[4])), str(r[5]),
                   tuple(int(d) for d in str(r[6]).split(",") if d), int(str(r[7])), int(str(r[8])), bool(r[9]))
