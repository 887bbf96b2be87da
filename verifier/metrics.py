"""Prometheus metrics, written in the text exposition format by hand.

A handful of series is all an operator needs to see the service working: how
many verdicts of each reason, how long verifications take, how old the status
data is, and how often Redis or the issuer could not be reached. Counters are
per process (Prometheus sums instances).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from typing import Callable, Iterable

from keys.errors import REASONS

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in pairs)
    return "{" + inner + "}" if inner else ""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _num(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class Histogram:
    """Counts per bucket (one increment per observation); ``counts`` gives them cumulative, as exposed."""

    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self._in_bucket = [0] * (len(buckets) + 1)  # the last one is above every bound
        self.total = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self._in_bucket[bisect_left(self.buckets, value)] += 1
        self.total += 1
        self.sum += value

    @property
    def counts(self) -> list[int]:
        out: list[int] = []
        running = 0
        for count in self._in_bucket[:-1]:
            running += count
            out.append(running)
        return out


class Metrics:
    """All series of one process; ``gauges`` are read when scraped."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.verifications: dict[tuple[str, str], int] = {}
        self.latency: dict[str, Histogram] = {}
        self.events: dict[str, int] = {}
        self.responses: dict[str, int] = {}
        self.gauges: dict[str, tuple[str, Callable[[], float | None]]] = {}

    def verdict(self, reason: str, mode: str | None) -> None:
        key = (reason, mode or "none")
        with self._lock:
            self.verifications[key] = self.verifications.get(key, 0) + 1

    def observe(self, endpoint: str, seconds: float) -> None:
        with self._lock:
            hist = self.latency.get(endpoint)
            if hist is None:
                hist = self.latency[endpoint] = Histogram()
            hist.observe(seconds)

    def event(self, name: str, count: int = 1) -> None:
        """Counted occurrences: redis_errors, issuer_fetch_errors, rate_limited, ..."""
        with self._lock:
            self.events[name] = self.events.get(name, 0) + count

    def response(self, status: int) -> None:
        key = str(status)
        with self._lock:
            self.responses[key] = self.responses.get(key, 0) + 1

    def gauge(self, name: str, help_text: str, read: Callable[[], float | None]) -> None:
        self.gauges[name] = (help_text, read)

    def render(self) -> str:
        lines: list[str] = []
        with self._lock:
            lines += [
                "# HELP verifier_verifications_total Verdicts given, by reason and mode.",
                "# TYPE verifier_verifications_total counter",
            ]
            seen = set(self.verifications)
            for reason in REASONS:
                if not any(r == reason for r, _ in seen):
                    seen.add((reason, "none"))
            for reason, mode in sorted(seen):
                count = self.verifications.get((reason, mode), 0)
                lines.append(f"verifier_verifications_total{_labels([('reason', reason), ('mode', mode)])} {count}")
            lines += [
                "# HELP verifier_verify_duration_seconds Time to answer a verification request.",
                "# TYPE verifier_verify_duration_seconds histogram",
            ]
            for endpoint, hist in sorted(self.latency.items()):
                for bound, count in zip(hist.buckets, hist.counts):
                    labels = _labels([("endpoint", endpoint), ("le", repr(float(bound)))])
                    lines.append(f"verifier_verify_duration_seconds_bucket{labels} {count}")
                lines.append(
                    f"verifier_verify_duration_seconds_bucket{_labels([('endpoint', endpoint), ('le', '+Inf')])} {hist.total}"
                )
                lines.append(f"verifier_verify_duration_seconds_sum{_labels([('endpoint', endpoint)])} {repr(hist.sum)}")
                lines.append(f"verifier_verify_duration_seconds_count{_labels([('endpoint', endpoint)])} {hist.total}")
            lines += [
                "# HELP verifier_events_total Operational events (store and issuer errors, refusals before a verdict).",
                "# TYPE verifier_events_total counter",
            ]
            for name, count in sorted(self.events.items()):
                lines.append(f"verifier_events_total{_labels([('event', name)])} {count}")
            lines += [
                "# HELP verifier_http_responses_total HTTP responses by status code.",
                "# TYPE verifier_http_responses_total counter",
            ]
            for status, count in sorted(self.responses.items()):
                lines.append(f"verifier_http_responses_total{_labels([('status', status)])} {count}")
        for name, (help_text, read) in sorted(self.gauges.items()):
            try:
                value = read()
            except Exception:
                value = None
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
            lines.append(f"{name} {_num(value) if value is not None else 'NaN'}")
        return "\n".join(lines) + "\n"
