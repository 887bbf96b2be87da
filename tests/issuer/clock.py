"""The fixed moment every issuer test stands on, and the clerk who acts."""

from __future__ import annotations

from datetime import date, datetime

from keys.timekeeping import BEIJING

# Mid-morning in Beijing on a fixed day; every test measures time from here.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING)
TODAY = date(2026, 11, 23)
CLERK = "clerk:test"
