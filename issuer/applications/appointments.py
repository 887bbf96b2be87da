"""Booking a half-day visit at a station, without ever overbooking.

A place is taken by one conditional UPDATE (``booked = booked + 1 WHERE booked <
capacity``) inside the registry's write transaction: whatever the number of
simultaneous requests, processes or database backends, a slot's count can only
reach its capacity. Rebooking releases the old place in the same transaction.

Applicants book at a station of the district they declared, on an open working
day from tomorrow up to `BOOKING_DAYS` ahead; the page shows how busy each station
is and suggests the least busy one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from issuer.errors import InvalidInputError, InvalidStateError, NotFoundError, SlotFullError
from issuer.model import timestamp
from keys.timekeeping import beijing_date

from .model import Application, ApplicationState, Appointment, Half
from .records import new_key
from .sql import Sql
from .stations import Station, StationDirectory
from .store import ApplicationStore

__all__ = ["BOOKING_DAYS", "Bookings", "SlotLoad", "release_live_appointment"]

BOOKING_DAYS = 14
_APPT_COLUMNS = "appt_id, app_id, station_id, day, half, state, booked_at"


@dataclass(frozen=True)
class SlotLoad:
    """One half day at one station: how many places it has and how many are taken."""

    station_id: str
    day: date
    half: Half
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


def release_live_appointment(sql: Sql, app_id: str, now: datetime) -> bool:
    """Cancel the application's booked appointment (if any) and free its place."""
    row = sql.one("SELECT station_id, day, half FROM appointments WHERE app_id = ? AND state = 'booked'", (app_id,))
    if row is None:
        return False
    sql.run("UPDATE appointments SET state = 'cancelled', cancelled_at = ? WHERE app_id = ? AND state = 'booked'",
            (timestamp(now), app_id))
    sql.run("UPDATE slots SET booked = booked - 1 WHERE station_id = ? AND day = ? AND half = ? AND booked > 0", row)
    return True


class Bookings:
    """Appointments over an `ApplicationStore` (same database, same transactions)."""

    def __init__(self, store: ApplicationStore) -> None:
        self.store = store
        self.sql = store.sql
        self.stations = StationDirectory(self.sql)

    # ---- reads -------------------------------------------------------------

    def live(self, app_id: str) -> Appointment | None:
        row = self.sql.one(f"SELECT {_APPT_COLUMNS} FROM appointments WHERE app_id = ? AND state = 'booked'",
                           (app_id,))
        return None if row is None else _appointment(row)

    def for_station_day(self, station_id: str, day: date) -> list[tuple[Appointment, Application]]:
        """A station's appointments of one day with their applications (the counter's list)."""
        rows = self.sql.all(f"SELECT {_APPT_COLUMNS} FROM appointments WHERE station_id = ? AND day = ? "
                            "AND state IN ('booked', 'attended') ORDER BY half, booked_at",
                            (station_id, day.isoformat()))
        return [(a, self.store.get(a.app_id)) for a in map(_appointment, rows)]

    def open_days(self, station: Station, today: date) -> list[date]:
        """Days a visit can be booked: working days the station opens, tomorrow onwards."""
        days = []
        for offset in range(1, BOOKING_DAYS + 1):
            day = today + timedelta(days=offset)
            if self.store.calendar.is_workday(day) and station.opens_on_weekday(day):
                days.append(day)
        return days

    def load(self, station: Station, today: date) -> list[SlotLoad]:
        """Every bookable half day of a station with its places taken."""
        days = self.open_days(station, today)
        if not days:
            return []
        taken = {(r[0], r[1]): (int(r[2]), int(r[3])) for r in self.sql.all(
            "SELECT day, half, capacity, booked FROM slots WHERE station_id = ? AND day >= ? AND day <= ?",
            (station.station_id, days[0].isoformat(), days[-1].isoformat()))}
        out = []
        for day in days:
            for half in Half:
                cap, booked = taken.get((day.isoformat(), half.value), (station.capacity(half.value), 0))
                out.append(SlotLoad(station.station_id, day, half, cap, booked))
        return out

    def busyness(self, district_code: int, today: date) -> list[tuple[Station, float, list[SlotLoad]]]:
        """Stations of a district with the share of places taken (0..1), least busy first."""
        out = []
        for station in self.stations.in_district(district_code):
            slots = self.load(station, today)
            capacity = sum(s.capacity for s in slots)
            share = 1.0 if capacity == 0 else sum(s.booked for s in slots) / capacity
            out.append((station, share, slots))
        out.sort(key=lambda item: (item[1], item[0].station_id))
        return out

    def suggestion(self, district_code: int, today: date) -> SlotLoad | None:
        """The earliest free half day at the least busy station that has one."""
        for _station, _share, slots in self.busyness(district_code, today):
            for slot in slots:
                if slot.free:
                    return slot
        return None

    # ---- moves -------------------------------------------------------------

    def book(self, app_id: str, station_id: str, day: date, half: Half | str, *,
             actor: str, now: datetime) -> Appointment:
        """Take one place (or move the application's booking there); SLOT_FULL when none is left."""
        try:
            which = Half(half)
        except ValueError:
            raise InvalidInputError("请选择上午或下午", "choose morning or afternoon") from None
        app = self.store.get(app_id)
        if app.state is not ApplicationState.SUBMITTED:
            raise InvalidStateError("只有已提交的申请可以预约", "only a submitted application can be booked")
        station = self.stations.get(station_id)
        if not station.active or station.district_code != app.district_code:
            raise InvalidInputError("请在居住地所属区的服务站预约",
                                    "book at a station of the district you live in")
        if day not in self.open_days(station, beijing_date(now)):
            raise InvalidInputError("该日期不可预约", "that day cannot be booked")
        key = (station_id, day.isoformat(), which.value)
        with self.sql.transaction():
            release_live_appointment(self.sql, app_id, now)
            self.sql.run("INSERT INTO slots (station_id, day, half, capacity, booked) VALUES (?, ?, ?, ?, 0) "
                         "ON CONFLICT DO NOTHING", (*key, station.capacity(which.value)))
            taken = self.sql.run("UPDATE slots SET booked = booked + 1 "
                                 "WHERE station_id = ? AND day = ? AND half = ? AND booked < capacity", key)
            if taken != 1:
                raise SlotFullError("该时段已约满，请选择其他时段", "that half day is fully booked; choose another")
            appt_id = new_key()
            self.sql.run(f"INSERT INTO appointments ({_APPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, 'booked', ?)",
                         (appt_id, app_id, *key, timestamp(now)))
            self.store.record_event(app_id, actor, app.state, f"预约 {station.name_zh} {day} {which.name_zh}", now)
        appt = self.live(app_id)
        assert appt is not None
        return appt

    def cancel(self, app_id: str, *, actor: str, now: datetime) -> None:
        app = self.store.get(app_id)
        with self.sql.transaction():
            if not release_live_appointment(self.sql, app_id, now):
                raise NotFoundError("没有可取消的预约", "there is no booking to cancel")
            self.store.record_event(app_id, actor, app.state, "取消预约", now)


def _appointment(r: tuple[object, ...]) -> Appointment:
    return Appointment(appt_id=str(r[0]), app_id=str(r[1]), station_id=str(r[2]), day=date.fromisoformat(str(r[3])),
                       half=Half(str(r[4])), state=str(r[5]), booked_at=datetime.fromisoformat(str(r[6])))
