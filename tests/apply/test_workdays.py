"""Working days across Spring Festival and National Day, and years the library does not know."""

from __future__ import annotations

from datetime import date

import pytest

from issuer.applications.store import ApplicationStore
from issuer.applications.workdays import REVIEW_WORKING_DAYS, WorkCalendar, library_knows
from issuer.errors import InvalidInputError
from tests.apply.conftest import NOW


def test_make_up_saturday_counts_and_spring_festival_does_not() -> None:
    cal = WorkCalendar()
    # Friday 13 Feb 2026: Sat 14 Feb is a make-up working day, 15-23 Feb Spring Festival,
    # Sat 28 Feb a make-up working day again.
    assert cal.is_workday(date(2026, 2, 14)) is True
    assert cal.is_workday(date(2026, 2, 16)) is False
    assert cal.add_working_days(date(2026, 2, 13), REVIEW_WORKING_DAYS) == date(2026, 3, 3)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 3, 3)) == 8


def test_national_day_week_and_its_make_up_days() -> None:
    cal = WorkCalendar()
    # Sun 20 Sep and Sat 10 Oct 2026 are worked; 25-27 Sep (Mid-Autumn) and 1-7 Oct are not.
    assert cal.add_working_days(date(2026, 9, 18), 8) == date(2026, 9, 30)
    assert cal.add_working_days(date(2026, 9, 29), 8) == date(2026, 10, 15)
    assert cal.is_workday(date(2026, 10, 10)) is True
    assert cal.is_workday(date(2026, 10, 7)) is False


def test_ordinary_weeks_skip_weekends() -> None:
    assert WorkCalendar().add_working_days(date(2026, 11, 23), 8) == date(2026, 12, 3)


def test_unknown_year_is_flagged_not_guessed() -> None:
    assert not library_knows(2027)
    cal = WorkCalendar()
    assert cal.is_workday(date(2027, 1, 4)) is None
    # Accepted on 24 Dec 2026: the eighth working day is in January 2027.
    assert cal.add_working_days(date(2026, 12, 24), 8) is None


def test_administrator_table_completes_an_unknown_year(store: ApplicationStore) -> None:
    cal = store.calendar
    # A made-up arrangement: 1-3 Jan 2027 off (Fri 1 Jan a holiday), Sat 9 Jan worked.
    cal.load_year(2027, holidays=[date(2027, 1, 1)], workdays=[date(2027, 1, 9)], actor="admin:x", now=NOW)
    assert cal.is_workday(date(2027, 1, 1)) is False
    assert cal.is_workday(date(2027, 1, 9)) is True
    # 24 Dec 2026 (Thu): 25, 28, 29, 30, 31 Dec, (1 Jan off) 4, 5, 6 Jan.
    assert cal.add_working_days(date(2026, 12, 24), 8) == date(2027, 1, 6)
    assert cal.known_years() == [2027]
    # Another store on the same database sees the table.
    assert ApplicationStore(store.registry).calendar.is_workday(date(2027, 1, 9)) is True


def test_table_cannot_override_the_library_or_be_inconsistent(store: ApplicationStore) -> None:
    with pytest.raises(InvalidInputError):
        store.calendar.load_year(2026, holidays=[], workdays=[], actor="admin:x", now=NOW)
    with pytest.raises(InvalidInputError):
        store.calendar.load_year(2027, holidays=[date(2028, 1, 1)], workdays=[], actor="admin:x", now=NOW)
    with pytest.raises(InvalidInputError):
        store.calendar.load_year(2027, holidays=[date(2027, 1, 2)], workdays=[date(2027, 1, 2)],
                                 actor="admin:x", now=NOW)
