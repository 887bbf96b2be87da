"""How often a wrong password may be tried, per account and per address, with a visible wait.

Three counters of failures, each in a sliding window:

* per account *and* address: 5 free tries, then a wait that doubles (30 s, 60 s,
  ... up to 15 min): slows a guesser without letting anyone lock an owner out
  from *their* address;
* per address: 100 failures in 15 minutes;
* per account, from anywhere: 50 failures in an hour (a spread-out guess).

A browser that has signed in to the account before carries a known-device cookie
(`KnownDevices`); for it the per-address and per-account counters do not apply.
So an attack from behind one NAT, or against one account, never locks out people
who have used the service from there before: the limit is on the attacker's
guesses, not on everyone behind the address. Memory is bounded.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict
from typing import Callable

__all__ = ["KnownDevices", "SignInLimiter"]

PAIR_FREE = 5
PAIR_FIRST_WAIT = 30.0
PAIR_MAX_WAIT = 900.0
ADDRESS_LIMIT, ADDRESS_WINDOW = 100, 900.0
ACCOUNT_LIMIT, ACCOUNT_WINDOW = 50, 3600.0
MAX_KEYS = 50_000


class _Window:
    """Failure times per key within a window, oldest keys dropped first."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._times: OrderedDict[str, list[float]] = OrderedDict()

    def recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._times.get(key, []) if now - t < self.window_s]
        if times:
            self._times[key] = times
        else:
            self._times.pop(key, None)
        return times

    def add(self, key: str, now: float) -> None:
        times = self.recent(key, now)
        times.append(now)
        self._times[key] = times
        self._times.move_to_end(key)
        while len(self._times) > MAX_KEYS:
            self._times.popitem(last=False)

    def clear(self, key: str) -> None:
        self._times.pop(key, None)


class SignInLimiter:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._pair = _Window(PAIR_MAX_WAIT * 2)
        self._address = _Window(ADDRESS_WINDOW)
        self._account = _Window(ACCOUNT_WINDOW)

    def wait(self, account: str | None, address: str, *, known_device: bool) -> float:
        """Seconds before this sign-in may be tried (0 when it may now)."""
        now = self.clock()
        waits = [0.0]
        if account is not None:
            pair = self._pair.recent(f"{account}|{address}", now)
            if len(pair) >= PAIR_FREE:
                delay = min(PAIR_MAX_WAIT, PAIR_FIRST_WAIT * 2 ** (len(pair) - PAIR_FREE))
                waits.append(pair[-1] + delay - now)
        if not known_device:
            by_address = self._address.recent(address, now)
            if len(by_address) >= ADDRESS_LIMIT:
                waits.append(by_address[-ADDRESS_LIMIT] + ADDRESS_WINDOW - now)
            if account is not None:
                by_account = self._account.recent(account, now)
                if len(by_account) >= ACCOUNT_LIMIT:
                    waits.append(by_account[-ACCOUNT_LIMIT] + ACCOUNT_WINDOW - now)
        return max(waits)

    def failed(self, account: str | None, address: str) -> None:
        now = self.clock()
        self._address.add(address, now)
        if account is not None:
            self._pair.add(f"{account}|{address}", now)
            self._account.add(account, now)

    def succeeded(self, account: str, address: str) -> None:
        self._pair.clear(f"{account}|{address}")


class KnownDevices:
    """Cookies that mark a browser as having signed in to an account before (HMAC, no state)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "KnownDevices()"

    def cookie_for(self, account_id: str) -> str:
        mac = hmac.new(self._key, account_id.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{account_id}.{mac}"

    def knows(self, cookie: str | None, account_id: str | None) -> bool:
        if not cookie or account_id is None:
            return False
        return hmac.compare_digest(cookie, self.cookie_for(account_id))
