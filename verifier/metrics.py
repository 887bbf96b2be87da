"""Prometheus metrics through prometheus-client, one scrape for every worker process.

A handful of series is all an operator needs to see the service working: how
many verdicts of each reason, how long verifications take, how old the status
data is, and how often Redis or the issuer could not be reached.

With several worker processes (``python -m verifier serve --workers N``) the
server sets ``PROMETHEUS_MULTIPROC_DIR`` before the workers start; each worker
then keeps its counters and histograms in memory-mapped files there, and a
scrape answered by any worker sums the files of all of them (prometheus-client's
multiprocess mode). Without it (one process, and in tests) each ``Metrics`` has
a registry of its own.

Gauges are read from the worker that answers the scrape when it is scraped: they
describe data every worker holds alike (status list age, key set size), which
the status share keeps in step between workers (one fetch from the issuer,
adopted by all through Redis).
"""

from __future__ import annotations

import os
import threading
from typing import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from keys.reasons import REASONS

disable_created_metrics()

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: the variable prometheus-client reads to keep values in files shared by processes
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
MODES = ("MINTED", "PASS", "PAPER", "none")


def multiprocess_dir() -> str | None:
    """The shared directory of the workers' values, when the server runs several."""
    return os.environ.get(MULTIPROCESS_DIR) or None


class _Gauges(Collector):
    """Read-on-scrape gauges of this process."""

    def __init__(self) -> None:
        self.read: dict[str, tuple[str, Callable[[], float | None]]] = {}

    def collect(self) -> Iterator[Metric]:
        for name, (help_text, read) in sorted(self.read.items()):
            try:
                value = read()
            except Exception:
                value = None
            yield GaugeMetricFamily(name, help_text, value=float("nan") if value is None else float(value))


class Metrics:
    """All series of one service; ``render`` is the text of one scrape."""

    def __init__(self) -> None:
        self._shared = multiprocess_dir()
        # In multiprocess mode the values live in the shared files, not in a registry:
        # the metric objects are created unregistered and the scrape reads the files.
        self._registry = CollectorRegistry(auto_describe=True)
        own = None if self._shared else self._registry
        self._verifications = Counter(
            "verifier_verifications", "Verdicts given, by reason and mode.", ["reason", "mode"], registry=own
        )
        self._latency = Histogram(
            "verifier_verify_duration_seconds", "Time to answer a verification request.", ["endpoint"],
            buckets=LATENCY_BUCKETS, registry=own,
        )
        self._events = Counter(
            "verifier_events", "Operational events (store and issuer errors, refusals before a verdict).",
            ["event"], registry=own,
        )
        self._responses = Counter("verifier_http_responses", "HTTP responses by status code.", ["status"], registry=own)
        self._gauges = _Gauges()
        self._children: dict[object, Callable[..., None]] = {}
        self._lock = threading.Lock()
        for reason in REASONS:  # every reason is listed from the start, at 0
            self._verifications.labels(reason, "none")

    def _inc(self, key: object, make: Callable[[], Callable[..., None]]) -> Callable[..., None]:
        child = self._children.get(key)
        if child is None:
            with self._lock:
                child = self._children.get(key)
                if child is None:
                    child = self._children[key] = make()
        return child

    def verdict(self, reason: str, mode: str | None) -> None:
        key = ("v", reason, mode)
        self._inc(key, lambda: self._verifications.labels(reason, mode or "none").inc)()

    def observe(self, endpoint: str, seconds: float) -> None:
        self._inc(("l", endpoint), lambda: self._latency.labels(endpoint).observe)(seconds)

    def event(self, name: str, count: int = 1) -> None:
        """Counted occurrences: redis_error, issuer_unreachable, rate_limited, ..."""
        self._inc(("e", name), lambda: self._events.labels(name).inc)(count)

    def response(self, status: int) -> None:
        self._inc(("r", status), lambda: self._responses.labels(str(status)).inc)()

    def gauge(self, name: str, help_text: str, read: Callable[[], float | None]) -> None:
        self._gauges.read[name] = (help_text, read)

    @property
    def events(self) -> dict[str, int]:
        """Event counts of this process (what the scrape shows for one worker)."""
        out: dict[str, int] = {}
        for metric in self._events.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    out[sample.labels["event"]] = int(sample.value)
        return out

    def render(self) -> str:
        """The exposition text: every worker's counters (summed) and this worker's gauges."""
        registry = self._registry
        if self._shared:
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=self._shared)
        text = generate_latest(registry).decode("utf-8")
        gauges = CollectorRegistry(auto_describe=True)
        gauges.register(self._gauges)
        return text + generate_latest(gauges).decode("utf-8")
