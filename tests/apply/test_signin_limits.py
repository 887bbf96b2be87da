"""Sign-in limits: a growing, visible wait per account and address; never a NAT lock-out."""

from __future__ import annotations

import re
from typing import Any

from issuer.apply.signin_limits import ADDRESS_LIMIT, KnownDevices, SignInLimiter
from tests.apply.http_helpers import API, PASSWORD, phone_of, register
from tests.issuer.app_helpers import Clock, TestClient


def test_wait_doubles_per_account_and_address() -> None:
    clock = Clock(1000.0)
    limiter = SignInLimiter(clock)
    for _ in range(5):
        assert limiter.wait("a", "1.2.3.4", known_device=False) == 0
        limiter.failed("a", "1.2.3.4")
    assert limiter.wait("a", "1.2.3.4", known_device=False) == 30
    assert limiter.wait("a", "5.6.7.8", known_device=False) == 0  # the owner elsewhere is not slowed
    clock.advance(30)
    limiter.failed("a", "1.2.3.4")
    assert limiter.wait("a", "1.2.3.4", known_device=False) == 60
    limiter.succeeded("a", "1.2.3.4")
    assert limiter.wait("a", "1.2.3.4", known_device=False) == 0


def test_an_address_limit_spares_known_devices() -> None:
    clock = Clock(1000.0)
    limiter = SignInLimiter(clock)
    for n in range(ADDRESS_LIMIT):
        limiter.failed(f"victim{n % 20}", "10.0.0.1")  # one NAT, many guesses
    assert limiter.wait("neighbour", "10.0.0.1", known_device=False) > 0
    assert limiter.wait("neighbour", "10.0.0.1", known_device=True) == 0
    keys = KnownDevices(b"k" * 32)
    assert keys.knows(keys.cookie_for("acct"), "acct") and not keys.knows(keys.cookie_for("acct"), "other")
    assert not keys.knows("acct.forged", "acct") and not keys.knows(None, "acct")


def test_the_page_shows_the_wait_and_the_api_says_retry_after(client: TestClient, app: Any, clock: Clock) -> None:
    register(client, app)
    client.cookies.clear()  # a new browser: not a known device
    page = client.get("/apply/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    for _ in range(5):
        r = client.post("/apply/login", data={"csrf": csrf.group(1), "login": phone_of(1), "password": "wrong999"})
        assert r.status_code == 401 and "密码错误" in r.text
    r = client.post("/apply/login", data={"csrf": csrf.group(1), "login": phone_of(1), "password": PASSWORD})
    assert r.status_code == 429 and r.headers["Retry-After"] == "31" and "请 31 秒后再试" in r.text
    r = client.post(f"{API}/session", json={"login": phone_of(1), "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"] == "TOO_MANY_ATTEMPTS"
    clock.advance(31)
    r = client.post("/apply/login", data={"csrf": csrf.group(1), "login": phone_of(1), "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/apply/account"
