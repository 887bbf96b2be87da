"""Limits that count work: a batch costs one token per code; TOTP guessing locks the pass."""

from __future__ import annotations

import pytest

from keys.totp import code_at, pass_secret
from verifier.guesses import GuessLimits, MemoryTotpGuard
from verifier.ratelimit import RateLimiter

from .service_kit import ROTATION_SECRET, Clock

pytestmark = pytest.mark.redis

PASS_ID = b"P" * 8


def right_code(clock: Clock) -> int:
    return code_at(pass_secret(ROTATION_SECRET, PASS_ID), int(clock() // 30))


def wrong_codes(clock: Clock, count: int) -> list[int]:
    right = right_code(clock)
    return [c for c in range(count + 1) if c != right][:count]


def test_a_batch_costs_one_token_per_code(make_verifier, issuer, clock):
    v = make_verifier(rate_per_s=20.0, rate_burst=40)
    assert v.batch([issuer.minted() for _ in range(30)]).status_code == 200
    refused = v.batch([issuer.minted() for _ in range(30)])
    assert refused.status_code == 429 and refused.json()["error"] == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) == 1  # 20 more tokens at 20 per second
    clock.advance(1)
    assert v.batch([issuer.minted() for _ in range(30)]).status_code == 200
    clock.advance(2)  # a full bucket again
    big = v.batch([issuer.minted() for _ in range(500)])  # more than the burst: goes ahead, leaves a debt
    assert big.status_code == 200 and big.json()["count"] == 500
    after = v.verify(issuer.minted())
    assert after.status_code == 429 and int(after.headers["retry-after"]) == 24  # (460 + 1) / 20 per second
    clock.advance(24)
    assert v.verify(issuer.minted()).status_code == 200


def test_the_bucket_is_shared_through_redis(make_verifier, redis_server, issuer, clock):
    a = make_verifier(redis_url=redis_server.url, rate_per_s=10.0, rate_burst=20)
    b = make_verifier(redis_url=redis_server.url, rate_per_s=10.0, rate_burst=20)
    assert a.batch([issuer.minted() for _ in range(15)]).status_code == 200
    assert b.batch([issuer.minted() for _ in range(10)]).status_code == 429  # only 5 tokens left, for both
    assert b.batch([issuer.minted() for _ in range(5)]).status_code == 200
    assert a.verify(issuer.minted()).status_code == 429
    redis_server.kill()  # each instance falls back to its own bucket; the verdict itself needs Redis
    assert a.verify(issuer.minted()).status_code == 503


def test_guessing_a_pass_code_locks_the_pass(make_verifier, issuer, clock):
    v = make_verifier()
    wrong = [v.verify(issuer.offline(code=c)).json() for c in wrong_codes(clock, 3)]
    assert [w["reason"] for w in wrong] == ["BAD_TOTP"] * 3
    locked = v.verify(issuer.offline(code=right_code(clock))).json()
    assert locked["reason"] == "BAD_TOTP"  # the right code, but the pass is locked
    wrong_body = {k: val for k, val in wrong[0].items() if k != "checked_at"}
    assert {k: val for k, val in locked.items() if k != "checked_at"} == wrong_body  # no oracle
    clock.advance(3600)
    v.tick()
    assert v.verify(issuer.offline()).json()["reason"] == "VALID"


def test_a_batch_of_guesses_with_the_right_one_inside_is_refused(make_verifier, issuer, clock):
    v = make_verifier()
    codes = [issuer.offline(code=c) for c in wrong_codes(clock, 499)] + [issuer.offline()]
    results = v.batch(codes).json()["results"]
    assert {r["reason"] for r in results} == {"BAD_TOTP"}
    other = issuer.offline(pass_id=b"Q" * 8)  # another holder's pass is not affected
    assert v.verify(other).json()["reason"] == "VALID"


def test_the_hourly_limit_spans_steps(make_verifier, issuer, clock):
    v = make_verifier()
    clock.now = (clock.now // 3600) * 3600 + 60  # early in an hour
    for _ in range(5):
        for code in wrong_codes(clock, 2):  # two per step: under the per-step limit
            assert v.verify(issuer.offline(code=code)).json()["reason"] == "BAD_TOTP"
        clock.advance(30)
        if _ < 4:
            assert v.verify(issuer.offline()).json()["reason"] == "VALID"
    # ten wrong codes this hour: the pass is locked, the right code too is refused
    assert v.verify(issuer.offline()).json()["reason"] == "BAD_TOTP"


def test_guess_counts_are_shared_through_redis(make_verifier, redis_server, issuer, clock):
    a = make_verifier(redis_url=redis_server.url)
    b = make_verifier(redis_url=redis_server.url)
    for instance, code in zip([a, b, a], wrong_codes(clock, 3)):
        assert instance.verify(issuer.offline(code=code)).json()["reason"] == "BAD_TOTP"
    assert a.verify(issuer.offline()).json()["reason"] == "BAD_TOTP"
    assert b.batch([issuer.offline()]).json()["results"][0]["reason"] == "BAD_TOTP"
    assert redis_server.client().ttl("verifier:guess:" + (b"P" * 8).hex()) > 3600
    clock.advance(3600)
    b.tick()
    assert b.verify(issuer.offline()).json()["reason"] == "VALID"


def test_memory_guard_forgets_finished_hours() -> None:
    guard = MemoryTotpGuard(GuessLimits(per_step=2, per_hour=5, lock_s=60), sweep_every=4)
    guard.failed([(b"a" * 8, 1)], 0.0)
    guard.failed([(b"b" * 8, 1), (b"b" * 8, 1)], 0.0)  # two in one step: the limit, b is locked
    assert guard.locked([b"a" * 8, b"b" * 8], 1.0) == [False, True]
    assert guard.locked([b"b" * 8], 61.0) == [False]
    guard.failed([(b"c" * 8, 500)], 7200.0)  # a new hour: the sweep drops a and b
    assert len(guard) == 1


def test_rate_limiter_debt() -> None:
    now = [0.0]
    limiter = RateLimiter(10.0, 5, clock=lambda: now[0])
    assert limiter.take("k", 50) == 0.0  # a full bucket lets a large request through
    assert limiter.take("k") == pytest.approx(4.6)  # 45 tokens owed, then one more
    now[0] = 4.6
    assert limiter.take("k") == 0.0
