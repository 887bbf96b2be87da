"""Booking half-day visits: district, open days, rebook, cancel, and no overbooking."""

from __future__ import annotations

import random
import threading
from datetime import date
from pathlib import Path

import pytest

from issuer.applications.appointments import Bookings
from issuer.applications.model import ApplicationState as S, Half
from issuer.applications.stations import SEED, StationDirectory
from issuer.applications.store import ApplicationStore
from issuer.errors import InvalidInputError, InvalidStateError, SlotFullError
from issuer.registry import Registry
from keys.districts import DISTRICTS
from tests.apply.conftest import APPLICANT, CLERK, NOW, submitted_permit

TUE = date(2026, 11, 24)


def test_seed_has_police_and_service_stations_in_every_district(bookings: Bookings) -> None:
    for district in DISTRICTS:
        kinds = {s.kind for s in bookings.stations.in_district(district.code)}
        assert kinds == {"police", "service"}
    assert len(bookings.stations.all()) == len(SEED) == 32


def test_open_days_skip_weekends_and_holidays(bookings: Bookings) -> None:
    station = bookings.stations.get("06-P")
    days = bookings.open_days(station, date(2026, 9, 28))
    assert date(2026, 10, 1) not in days and date(2026, 10, 3) not in days
    assert date(2026, 10, 10) in days  # make-up Saturday
    assert date(2026, 9, 29) == days[0]


def test_book_only_in_the_declared_district_on_an_open_day(store: ApplicationStore, bookings: Bookings) -> None:
    app_id = submitted_permit(store)
    with pytest.raises(InvalidInputError):
        bookings.book(app_id, "03-P", TUE, "am", actor=APPLICANT, now=NOW)
    with pytest.raises(InvalidInputError):
        bookings.book(app_id, "06-P", date(2026, 11, 28), "am", actor=APPLICANT, now=NOW)  # Saturday
    with pytest.raises(InvalidInputError):
        bookings.book(app_id, "06-P", NOW.date(), "pm", actor=APPLICANT, now=NOW)  # not the same day
    with pytest.raises(InvalidInputError):
        bookings.book(app_id, "06-P", TUE, "evening", actor=APPLICANT, now=NOW)
    appt = bookings.book(app_id, "06-P", TUE, Half.AM, actor=APPLICANT, now=NOW)
    assert (appt.station_id, appt.day, appt.half) == ("06-P", TUE, Half.AM)


def test_rebook_frees_the_old_place_and_cancel_frees_the_new(store: ApplicationStore, bookings: Bookings) -> None:
    app_id = submitted_permit(store)
    bookings.book(app_id, "06-P", TUE, "am", actor=APPLICANT, now=NOW)
    bookings.book(app_id, "06-S", TUE, "pm", actor=APPLICANT, now=NOW)

    def booked(station: str, half: str) -> int:
        return int(store.sql.scalar("SELECT booked FROM slots WHERE station_id = ? AND day = ? AND half = ?",
                                    (station, TUE.isoformat(), half)))

    assert (booked("06-P", "am"), booked("06-S", "pm")) == (0, 1)
    live = bookings.live(app_id)
    assert live is not None and live.station_id == "06-S"
    bookings.cancel(app_id, actor=APPLICANT, now=NOW)
    assert booked("06-S", "pm") == 0 and bookings.live(app_id) is None
    store.withdraw(app_id, actor=APPLICANT, now=NOW)
    with pytest.raises(InvalidStateError):
        bookings.book(app_id, "06-P", TUE, "am", actor=APPLICANT, now=NOW)


def test_full_slot_and_busyness_and_suggestion(store: ApplicationStore, bookings: Bookings) -> None:
    station = bookings.stations.get("06-S")  # four places each half day
    ids = [submitted_permit(store, seq=n, account=f"a{n}") for n in range(1, 6)]
    for app_id in ids[:4]:
        bookings.book(app_id, "06-S", TUE, "am", actor=APPLICANT, now=NOW)
    with pytest.raises(SlotFullError):
        bookings.book(ids[4], "06-S", TUE, "am", actor=APPLICANT, now=NOW)
    ranking = bookings.busyness(6, NOW.date())
    assert [s.station_id for s, _, _ in ranking] == ["06-P", "06-S"]
    assert ranking[0][1] == 0.0 and ranking[1][1] > 0
    suggestion = bookings.suggestion(6, NOW.date())
    assert suggestion is not None and (suggestion.station_id, suggestion.day, suggestion.half) == ("06-P", TUE, Half.AM)
    assert station.capacity_am == 4


def test_day_list_for_the_counter(store: ApplicationStore, bookings: Bookings) -> None:
    first = submitted_permit(store, seq=1, account="a1")
    second = submitted_permit(store, seq=2, account="a2")
    bookings.book(second, "06-P", TUE, "pm", actor=APPLICANT, now=NOW)
    bookings.book(first, "06-P", TUE, "am", actor=APPLICANT, now=NOW)
    day = bookings.for_station_day("06-P", TUE)
    assert [(a.half, app.app_id) for a, app in day] == [(Half.AM, first), (Half.PM, second)]
    store.accept(first, officer=CLERK, station_id="06-P", checked=["id_card"], now=NOW)
    assert [a.state for a, _ in bookings.for_station_day("06-P", TUE)] == ["attended", "booked"]


def test_capacity_edit_never_drops_below_booked(store: ApplicationStore, bookings: Bookings) -> None:
    app_id = submitted_permit(store)
    bookings.book(app_id, "06-S", TUE, "am", actor=APPLICANT, now=NOW)
    station = bookings.stations.get("06-S")
    from dataclasses import replace

    bookings.stations.save(replace(station, capacity_am=0), today=NOW.date())
    cap = store.sql.scalar("SELECT capacity FROM slots WHERE station_id = '06-S' AND half = 'am'")
    assert cap == 1


def test_two_hundred_simultaneous_bookings_for_ten_places(tmp_path: Path) -> None:
    """SQLite: 200 connections (as 200 processes would have) try at the same instant."""
    path = tmp_path / "registry.sqlite3"
    with Registry(path, rng=random.Random(1)) as reg:
        store = ApplicationStore(reg)
        directory = StationDirectory(store.sql)
        from dataclasses import replace

        directory.save(replace(directory.get("06-P"), capacity_am=10), today=NOW.date())
        with store.sql.transaction():  # one commit for the whole setup
            ids = [submitted_permit(store, seq=n, account=f"a{n}") for n in range(200)]
    start = threading.Barrier(len(ids))
    results: list[str] = []
    lock = threading.Lock()

    def attempt(app_id: str) -> None:
        with Registry(path) as reg:  # one connection per thread, as separate processes would have
            bookings = Bookings(ApplicationStore(reg))
            start.wait()
            try:
                bookings.book(app_id, "06-P", TUE, "am", actor=APPLICANT, now=NOW)
                outcome = "booked"
            except SlotFullError:
                outcome = "full"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(app_id,)) for app_id in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("booked") == 10 and results.count("full") == 190
    with Registry(path) as reg:
        store = ApplicationStore(reg)
        assert store.sql.scalar("SELECT booked FROM slots WHERE station_id = '06-P' AND half = 'am'") == 10
        assert store.sql.scalar("SELECT count(*) FROM appointments WHERE state = 'booked'") == 10
        assert all(store.get(i).state is S.SUBMITTED for i in ids)


def test_two_hundred_simultaneous_bookings_for_ten_places_on_postgresql(postgres_url: str) -> None:
    """PostgreSQL lets writers run side by side: 40 connections book 200 times at once."""
    from concurrent.futures import ThreadPoolExecutor

    with Registry(postgres_url, rng=random.Random(1)) as reg:
        store = ApplicationStore(reg)
        directory = StationDirectory(store.sql)
        from dataclasses import replace

        directory.save(replace(directory.get("06-P"), capacity_am=10), today=NOW.date())
        with store.sql.transaction():  # one commit for the whole setup
            ids = [submitted_permit(store, seq=n, account=f"a{n}") for n in range(200)]
    start = threading.Barrier(40)

    def attempt(batch: list[str]) -> list[str]:
        outcomes = []
        with Registry(postgres_url) as reg:
            bookings = Bookings(ApplicationStore(reg))
            start.wait()
            for app_id in batch:
                try:
                    bookings.book(app_id, "06-P", TUE, "am", actor=APPLICANT, now=NOW)
                    outcomes.append("booked")
                except SlotFullError:
                    outcomes.append("full")
        return outcomes

    with ThreadPoolExecutor(max_workers=40) as pool:
        results = [r for batch in pool.map(attempt, [ids[i::40] for i in range(40)]) for r in batch]
    assert results.count("booked") == 10 and results.count("full") == 190
    with Registry(postgres_url) as reg:
        store = ApplicationStore(reg)
        assert store.sql.scalar("SELECT booked FROM slots WHERE station_id = '06-P' AND half = 'am'") == 10
        assert store.sql.scalar("SELECT count(*) FROM appointments WHERE state = 'booked'") == 10
