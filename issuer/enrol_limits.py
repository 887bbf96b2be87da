"""How many wrong enrolment codes a phone may send, counted so that a shared address locks out no one.

Many holders reach the issuer from one address (a mobile carrier's NAT, an
office, a counter's Wi-Fi), so failures are never counted per address alone:

* **per phone**: the random ``install_id`` the holder page keeps (the address
  only for a client that sends none), ``PER_PHONE`` failures in ``WINDOW_S``;
  one mistyping phone waits, the others behind its address do not;
* **per enrolment code**: the code typed (normalised as enrolment reads it, kept
  as a hash), ``PER_CODE`` failures in the window from any phone; a code being
  tried again and again, by one phone inventing new ids or by many, waits;
* **all together**: ``ALL_CLIENTS`` failures in the window, so the code space
  (about 2^39) cannot be walked through in a code's 15-minute life by a client
  inventing new ids and new codes at once.

The longest wait of the three is answered as ``429 TOO_MANY_ATTEMPTS`` with
``Retry-After`` and the seconds in both languages; the holder page counts them
down ("请在 N 秒后重试 / try again in N s"). The clock is the service's, so tests
move time instead of waiting.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from starlette.requests import Request

from keys.edge.errors import HttpError

from .tokens import hash_secret, normalise_code

__all__ = ["ALL_CLIENTS", "PER_CODE", "PER_PHONE", "WINDOW_S", "Counted", "EnrolmentLimits", "FailureLimiter"]

PER_PHONE = 10
PER_CODE = 10
#: Failed enrolments of all clients together per window: bounds guessing by a client inventing ids.
ALL_CLIENTS = 500
WINDOW_S = 600.0
_INSTALL_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


class FailureLimiter:
    """At most ``limit`` failures per client within ``window_s``; bounded memory."""

    def __init__(self, clock: Callable[[], float], *, limit: int = 10, window_s: float = 600.0,
                 max_clients: int = 10_000) -> None:
        self.clock = clock
        self.limit = limit
        self.window_s = window_s
        self.max_clients = max_clients
        self._failures: OrderedDict[str, list[float]] = OrderedDict()

    def _recent(self, client: str, now: float) -> list[float]:
        times = [t for t in self._failures.get(client, []) if now - t < self.window_s]
        if times:
            self._failures[client] = times
        else:
            self._failures.pop(client, None)
        return times

    def blocked_for(self, client: str) -> float:
        """Seconds until ``client`` may try again (0 when it may now)."""
        now = self.clock()
        times = self._recent(client, now)
        if len(times) < self.limit:
            return 0.0
        return max(1.0, times[0] + self.window_s - now)

    def failed(self, client: str) -> None:
        now = self.clock()
        times = self._recent(client, now)
        times.append(now)
        self._failures[client] = times
        self._failures.move_to_end(client)
        while len(self._failures) > self.max_clients:
            self._failures.popitem(last=False)


@dataclass(frozen=True)
class Counted:
    """Whom one attempt counts against: the phone (or address) and the code typed."""

    phone: str
    code: str


def enrolling_phone(request: Request, data: Mapping[str, Any]) -> str:
    """The phone's install id, else its address."""
    install = data.get("install_id")
    if isinstance(install, str) and _INSTALL_ID.fullmatch(install):
        return "install:" + install
    return "address:" + (request.client.host if request.client else "unknown")


class EnrolmentLimits:
    """The three counts of failed enrolments, and the refusal while any of them is full."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.per_phone = FailureLimiter(clock, limit=PER_PHONE, window_s=WINDOW_S)
        self.per_code = FailureLimiter(clock, limit=PER_CODE, window_s=WINDOW_S)
        self.everyone = FailureLimiter(clock, limit=ALL_CLIENTS, window_s=WINDOW_S)

    def counted(self, request: Request, data: Mapping[str, Any], code: str) -> Counted:
        return Counted(enrolling_phone(request, data), "code:" + hash_secret(normalise_code(code)))

    def wait(self, counted: Counted) -> float:
        """Seconds before this phone may try this code (0: now)."""
        return max(self.per_phone.blocked_for(counted.phone), self.per_code.blocked_for(counted.code),
                   self.everyone.blocked_for("*"))

    def check(self, counted: Counted) -> None:
        """Refuse with the wait while any count is full."""
        wait = self.wait(counted)
        if wait:
            seconds = max(1, int(wait + 0.999))
            raise HttpError("TOO_MANY_ATTEMPTS", f"retry after {seconds} s", headers={"Retry-After": str(seconds)},
                            zh=f"尝试次数过多，请在 {seconds} 秒后重试", en=f"Too many attempts: try again in {seconds} s")

    def failed(self, counted: Counted) -> None:
        self.per_phone.failed(counted.phone)
        self.per_code.failed(counted.code)
        self.everyone.failed("*")
