"""Time as the permit counts it: Beijing calendar days and time steps.

A permit "valid until 2027-05-12" is valid through that day in Beijing (UTC+8,
no daylight saving), whatever the zone of the server or the phone. Live codes
and one-time codes count time in steps of ``period`` seconds from the Unix
epoch (RFC 6238), the same count on the issuer, the verifier and the phones.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
DAY_S = 86400
#: the ordinal of 1970-01-01, so a day number is ``day.toordinal() - EPOCH_ORDINAL``
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_BEIJING_OFFSET_S = 8 * 3600


def step_at(now: float, period: int) -> int:
    """The time step ``now`` (Unix time) falls in: floor(now / period)."""
    return int(now // period)


def day_number(day: date) -> int:
    """Days since 1970-01-01 (how the wire carries a date)."""
    return day.toordinal() - EPOCH_ORDINAL


def beijing_day_number(now: float) -> int:
    """``day_number`` of the Beijing calendar day of Unix time ``now``, without building a date."""
    return int((now + _BEIJING_OFFSET_S) // DAY_S)


def beijing_day(now: float) -> date:
    """The Beijing calendar day of Unix time ``now``."""
    return date.fromordinal(EPOCH_ORDINAL + beijing_day_number(now))


def beijing_date(instant: datetime) -> date:
    """The Beijing calendar day of an aware instant; naive datetimes are refused.

    A naive datetime would be read in the server's local zone, which is how an
    expiry ends up off by a day at midnight; refusing it keeps the caller honest.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("the instant must be timezone-aware")
    return instant.astimezone(BEIJING).date()


def end_of_day(day: date) -> int:
    """The last second of a Beijing calendar day, as Unix time."""
    start = datetime(day.year, day.month, day.day, tzinfo=BEIJING) + timedelta(days=1)
    return int(start.timestamp()) - 1
