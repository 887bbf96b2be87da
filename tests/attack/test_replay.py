"""Screenshots and races: a code is accepted once, by one verifier, inside its window only."""

from __future__ import annotations

import threading

import pytest

pytestmark = pytest.mark.redis

RACES = 100


def test_screenshot_inside_and_after_the_window(make_verifier, issuer, clock):
    v = make_verifier()
    code = issuer.minted()
    assert v.verify(code).json()["reason"] == "VALID"  # the holder's own scan
    clock.advance(5)
    assert v.verify(code).json()["reason"] == "REPLAYED"  # the screenshot, same step
    clock.advance(15)
    assert v.verify(code).json()["reason"] == "REPLAYED"  # one step later: still inside the window
    clock.advance(10)  # the window of step s ends at (s + 2) * 15
    v.tick()
    assert v.verify(code).json()["reason"] == "STALE"  # after the window: refused before any store
    photo = issuer.minted()  # a photo shown before the holder uses the code: accepted once (the residual risk)
    assert v.verify(photo).json()["reason"] == "VALID"
    assert v.verify(photo).json()["reason"] == "REPLAYED"


def test_pass_code_shown_twice_in_one_step(make_verifier, issuer, clock):
    v = make_verifier()
    code = issuer.offline()
    assert v.verify(code).json()["reason"] == "VALID"
    assert v.verify(code).json()["reason"] == "REPLAYED"
    clock.advance(30)
    assert v.verify(issuer.offline()).json()["reason"] == "VALID"  # the next step's code


def test_the_same_code_to_two_verifiers_at_once(make_verifier, redis_server, issuer):
    """Two instances (own app, own Redis connections) given each code at the same moment, RACES times."""
    a = make_verifier(redis_url=redis_server.url)
    b = make_verifier(redis_url=redis_server.url)
    double = 0
    for _ in range(RACES):
        code = issuer.minted()
        barrier = threading.Barrier(4)
        answers: list[str] = []

        def show(instance, code=code, barrier=barrier, answers=answers):  # type: ignore[no-untyped-def]
            barrier.wait()
            answers.append(instance.verify(code).json()["reason"])

        threads = [threading.Thread(target=show, args=(x,)) for x in (a, b, a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(answers) == ["REPLAYED", "REPLAYED", "REPLAYED", "VALID"], answers
        double += answers.count("VALID") - 1
    assert double == 0


def test_batch_races_against_single_codes(make_verifier, redis_server, issuer):
    a = make_verifier(redis_url=redis_server.url)
    b = make_verifier(redis_url=redis_server.url)
    codes = [issuer.minted() for _ in range(200)]
    results: dict[str, list[str]] = {}

    def batch() -> None:
        results["batch"] = [r["reason"] for r in a.batch(codes).json()["results"]]

    def singles() -> None:
        results["singles"] = [b.verify(code).json()["reason"] for code in reversed(codes)]

    threads = [threading.Thread(target=batch), threading.Thread(target=singles)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    from_singles = list(reversed(results["singles"]))
    for one, other in zip(results["batch"], from_singles):
        assert sorted([one, other]) == ["REPLAYED", "VALID"]
