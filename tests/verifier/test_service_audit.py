"""The audit buffer: records leave the request path, and none is lost on the way to the sink."""

from __future__ import annotations

import logging
import threading
from typing import Any, Sequence

import pytest

from verifier.audit import AuditBuffer, as_record


QUIET = {"interval_s": 3600.0, "flush_at": 10**6}  # the writer thread never fires by itself in a test


class Sink:
    def __init__(self) -> None:
        self.writes: list[list[dict[str, Any]]] = []
        self.failing = False
        self.wrote = threading.Event()

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        if self.failing:
            raise OSError("disk full")
        self.writes.append(list(records))
        self.wrote.set()

    @property
    def records(self) -> list[int]:
        return [r["n"] for batch in self.writes for r in batch]


def _records(*ns: int) -> list[dict[str, Any]]:
    return [{"n": n} for n in ns]


def _buffer(sink: Sink, events: dict[str, int] | None = None, **kwargs: Any) -> AuditBuffer:
    def count(name: str, n: int) -> None:
        if events is not None:
            events[name] = events.get(name, 0) + n

    return AuditBuffer(sink, on_event=count, **{"render": as_record, **QUIET, **kwargs})


def test_records_wait_and_are_written_together_in_order():
    sink = Sink()
    buffer = _buffer(sink)
    buffer.write(_records(1))
    buffer.write(_records(2, 3))
    assert sink.writes == [] and len(buffer) == 3
    assert buffer.flush() is True
    assert sink.writes == [_records(1, 2, 3)] and len(buffer) == 0
    buffer.close()


def test_the_writer_thread_writes_once_enough_records_wait():
    sink = Sink()
    buffer = _buffer(sink, flush_at=4)
    buffer.write(_records(1, 2, 3))
    buffer.write(_records(4))
    assert sink.wrote.wait(10)
    assert sink.records == [1, 2, 3, 4]
    buffer.close()


def test_a_failed_write_keeps_the_records_for_the_next_attempt():
    sink = Sink()
    events: dict[str, int] = {}
    buffer = _buffer(sink, events)
    buffer.write(_records(1, 2))
    sink.failing = True
    assert buffer.flush() is False
    buffer.write(_records(3))
    assert len(buffer) == 3 and events == {"audit_write_failed": 2}
    sink.failing = False
    assert buffer.flush() is True
    assert sink.records == [1, 2, 3]
    buffer.close()


def test_a_full_buffer_counts_what_it_cannot_keep():
    sink = Sink()
    events: dict[str, int] = {}
    buffer = _buffer(sink, events, max_records=3)
    buffer.write(_records(1, 2))
    buffer.write(_records(3, 4, 5))
    assert len(buffer) == 3 and events == {"audit_dropped": 2}
    buffer.close()
    assert sink.records == [1, 2, 3]


def test_write_through_writes_what_waits_first_and_reports_failure():
    sink = Sink()
    buffer = _buffer(sink)
    buffer.write(_records(1))
    buffer.write_through(_records(2))
    assert sink.records == [1, 2]
    buffer.write(_records(3))
    sink.failing = True
    with pytest.raises(OSError):
        buffer.write_through(_records(4))
    sink.failing = False
    buffer.close()
    assert sink.records == [1, 2, 3]  # 4 was refused to its sender, who sends it again


def test_close_writes_everything_and_logs_what_the_sink_refuses(caplog):
    sink = Sink()
    buffer = _buffer(sink, interval_s=0.001)
    buffer.write(_records(1, 2))
    buffer.close()
    assert sink.records == [1, 2]
    buffer.write(_records(3))  # after shutdown: written at once
    assert sink.records == [1, 2, 3]

    failing = Sink()
    failing.failing = True
    other = _buffer(failing, interval_s=0.001)
    other.write(_records(7))
    with caplog.at_level(logging.ERROR, logger="verifier.audit"):
        other.close()
    assert any('audit record not written: {"n":7}' in r.getMessage() for r in caplog.records)


def test_the_service_writes_waiting_records_when_it_stops(make_verifier, issuer):
    v = make_verifier()
    v.verify(issuer.minted())
    v.batch([issuer.paper(), "RP:"])
    v.close()  # the app's shutdown; no explicit flush
    text = v.config.audit_file.read_text(encoding="utf-8").splitlines()
    assert len(text) == 3


def test_events_are_turned_into_records_when_written_and_kept_if_that_fails():
    sink = Sink()
    broken = [True]

    def render(event: int) -> dict[str, Any]:
        if broken[0]:
            raise ValueError("cannot render")
        return {"n": event}

    buffer = AuditBuffer(sink, render=render, **QUIET)
    buffer.write([1, 2])
    assert buffer.flush() is False and len(buffer) == 2
    broken[0] = False
    buffer.write_through(_records(3))
    assert sink.records == [1, 2, 3]
    buffer.close()
