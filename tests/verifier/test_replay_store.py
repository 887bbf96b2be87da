"""The embedded replay store: entries leave as they expire, no claim ever stalls."""

from __future__ import annotations

import time

import pytest

from verifier.replay import MemoryReplayStore, StoreUnavailable

RATE = 500  # accepted codes per second of simulated clock
TTL = 46.0  # the longest acceptance window: (2 * skew + 1) * 15 s period + 1 s


def test_a_million_codes_never_stall_and_memory_stays_within_the_window() -> None:
    store = MemoryReplayStore()
    worst = 0.0
    most_held = 0
    bound = RATE * (TTL + 2)  # what the window needs, plus the bucket rounding
    for i in range(1_200_000):
        now = 1_800_000_000 + i / RATE
        started = time.thread_time()  # CPU time: a busy machine does not count
        assert store.claim(i.to_bytes(8, "big"), TTL, now)
        elapsed = time.thread_time() - started
        worst = max(worst, elapsed)
        if i % 1000 == 0:
            most_held = max(most_held, len(store))
    assert worst < 0.020, f"worst single claim took {worst * 1000:.1f} ms"
    assert most_held <= bound, f"held {most_held} entries, the window needs {bound:.0f}"
    assert len(store) <= bound


def test_a_code_is_refused_inside_its_window_and_accepted_after_it() -> None:
    store = MemoryReplayStore()
    assert store.claim(b"k", 30.0, 100.0)
    assert not store.claim(b"k", 30.0, 129.9)
    assert store.claim(b"k", 30.0, 130.0)
    assert not store.claim(b"k", 30.0, 159.0)


def test_a_reclaimed_key_is_not_dropped_by_its_earlier_bucket() -> None:
    store = MemoryReplayStore()
    assert store.claim(b"k", 10.0, 0.0)
    assert store.claim(b"k", 10.0, 10.0)  # expired, claimed again until 20
    assert store.claim(b"other", 1.0, 15.0)  # evicts the bucket of second 10
    assert not store.claim(b"k", 10.0, 16.0)


def test_out_of_order_ttls_are_kept_at_least_as_long_as_asked() -> None:
    store = MemoryReplayStore()
    assert store.claim(b"long", 50.0, 0.0)
    assert store.claim(b"short", 5.0, 0.0)  # filed in the later bucket
    assert not store.claim(b"short", 5.0, 4.0)
    assert store.claim(b"short", 5.0, 5.5)  # still expires on time
    assert len(store) == 2


def test_expired_entries_are_gone_without_any_sweep() -> None:
    store = MemoryReplayStore()
    for i in range(1000):
        store.claim(i.to_bytes(4, "big"), 10.0, 0.0)
    store.claim(b"late", 10.0, 11.0)
    assert len(store) == 1


def test_a_store_full_of_live_codes_fails_closed() -> None:
    store = MemoryReplayStore(max_entries=2)
    assert store.claim(b"a", 10.0, 0.0)
    assert store.claim(b"b", 10.0, 0.0)
    with pytest.raises(StoreUnavailable):  # the verifier answers SERVICE_UNAVAILABLE
        store.claim(b"c", 10.0, 1.0)
    assert not store.claim(b"a", 10.0, 1.0)  # still remembered
    assert store.claim(b"c", 10.0, 11.0)  # room again once the window has passed
