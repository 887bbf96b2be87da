"""Logging an outage without flooding the log: one line when it starts, a count now and then, one when it ends.

During a Redis outage every request fails the same way; a line per refusal was
11,652 lines in 15 seconds, which buries everything else and costs disk and
CPU when the service is already in trouble. An ``OutageLog`` writes the first
failure, then at most one line per ``interval_s`` with the number of failures
since, then one line when the next call succeeds.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable


class OutageLog:
    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        interval_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.what = what
        self.interval_s = interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self.down = False
        self._since: float = 0.0
        self._logged_at: float = 0.0
        self._count = 0
        self._total = 0

    def failed(self, detail: str) -> None:
        """One more failure; logged if it starts the outage or the interval has passed."""
        now = self._clock()
        with self._lock:
            self._total += 1
            if not self.down:
                self.down, self._since, self._logged_at, self._count = True, now, now, 0
                self.logger.warning("%s unavailable: %s", self.what, detail)
                return
            self._count += 1
            if now - self._logged_at < self.interval_s:
                return
            count, self._count, self._logged_at = self._count, 0, now
        self.logger.warning(
            "%s still unavailable after %.0f s: %d more failures (last: %s)", self.what, now - self._since, count, detail
        )

    def ok(self) -> None:
        """A call succeeded; logs the end of an outage (cheap when there was none)."""
        if not self.down:
            return
        now = self._clock()
        with self._lock:
            if not self.down:
                return
            self.down = False
            total, self._total = self._total, 0
        self.logger.warning("%s available again after %.0f s and %d failures", self.what, now - self._since, total)
