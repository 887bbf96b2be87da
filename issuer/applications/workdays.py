"""Working days in mainland China: weekends, public holidays and make-up days (调休).

The review deadline is counted in working days. Which days are holidays, and which
weekend days are worked instead, is decided by the State Council each year, so it
cannot be computed: it comes from the ``chinesecalendar`` library for the years the
library knows, and from a table an administrator loads for later years. A day in a
year neither knows is *unknown*, and a deadline that would need it is reported as
unknown (``None``), never guessed from the weekday rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import chinese_calendar

from issuer.errors import InvalidInputError
from issuer.model import timestamp

from .sql import Sql

__all__ = ["REVIEW_WORKING_DAYS", "WorkCalendar", "library_knows"]

#: Review within 8 working days of acceptance at the counter.
REVIEW_WORKING_DAYS = 8


def library_knows(year: int) -> bool:
    """Whether the library has the State Council's arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """The library's calendar, completed by the administrator's table (if a store is given)."""

    def __init__(self, sql: Sql | None = None) -> None:
        self._sql = sql
        self._loaded: dict[int, dict[date, bool] | None] = {}

    def is_workday(self, day: date) -> bool | None:
        """True or False, or None when the year is known neither to the library nor the table."""
        if library_knows(day.year):
            return bool(chinese_calendar.is_workday(day))
        table = self._table(day.year)
        if table is None:
            return None
        return table.get(day, day.weekday() < 5)

    def add_working_days(self, start: date, count: int) -> date | None:
        """The ``count``-th working day after ``start`` (``start`` itself not counted).

        None when a day on the way belongs to an unknown year: the caller flags the
        deadline for an administrator instead of trusting a guess.
        """
        if count < 1:
            raise ValueError("count must be positive")
        day = start
        found = 0
        while found < count:
            day += timedelta(days=1)
            working = self.is_workday(day)
            if working is None:
                return None
            if working:
                found += 1
        return day

    def working_days_between(self, start: date, end: date) -> int | None:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end < start:
            inner = self.working_days_between(end, start)
            return None if inner is None else -inner
        total = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            working = self.is_workday(day)
            if working is None:
                return None
            total += int(working)
        return total

    def load_year(
        self,
        year: int,
        *,
        holidays: Iterable[date],
        workdays: Iterable[date],
        actor: str,
        now: datetime,
    ) -> None:
        """Load (or replace) an administrator's arrangement for a year the library lacks.

        ``holidays`` are weekdays off, ``workdays`` weekend days worked (调休); every
        other day follows the weekday rule. Refused for years the library knows: the
        published calendar is the authority there.
        """
        if self._sql is None:
            raise RuntimeError("no store to load the calendar into")
        if library_knows(year):
            raise InvalidInputError(f"{year}年的节假日安排已由日历库提供",
                                    f"the calendar library already has {year}")
        off = sorted(set(holidays))
        on = sorted(set(workdays))
        for day in [*off, *on]:
            if day.year != year:
                raise InvalidInputError(f"{day} 不在 {year} 年内", f"{day} is not in {year}")
        if set(off) & set(on):
            raise InvalidInputError("同一天不能既是假日又是工作日",
                                    "a day cannot be both a holiday and a working day")
        with self._sql.transaction():
            self._sql.run("DELETE FROM calendar_days WHERE day >= ? AND day <= ?",
                          (f"{year}-01-01", f"{year}-12-31"))
            self._sql.run("DELETE FROM calendar_years WHERE year = ?", (year,))
            for day in off:
                self._sql.run("INSERT INTO calendar_days (day, workday) VALUES (?, 0)", (day.isoformat(),))
            for day in on:
                self._sql.run("INSERT INTO calendar_days (day, workday) VALUES (?, 1)", (day.isoformat(),))
            self._sql.run("INSERT INTO calendar_years (year, loaded_by, loaded_at) VALUES (?, ?, ?)",
                          (year, actor, timestamp(now)))
        self._loaded.pop(year, None)

    def known_years(self) -> list[int]:
        """Years loaded by an administrator (the library's own are not listed)."""
        if self._sql is None:
            return []
        return [int(r[0]) for r in self._sql.all("SELECT year FROM calendar_years ORDER BY year")]

    def _table(self, year: int) -> dict[date, bool] | None:
        if year in self._loaded:
            return self._loaded[year]
        table: dict[date, bool] | None = None
        if self._sql is not None and self._sql.one("SELECT 1 FROM calendar_years WHERE year = ?", (year,)):
            rows = self._sql.all("SELECT day, workday FROM calendar_days WHERE day >= ? AND day <= ?",
                                 (f"{year}-01-01", f"{year}-12-31"))
            table = {date.fromisoformat(r[0]): bool(r[1]) for r in rows}
            self._loaded[year] = table  # only a loaded year is kept: another process may load one
        return table
