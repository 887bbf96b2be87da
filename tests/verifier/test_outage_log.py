"""A Redis outage is logged once when it starts, counted now and then, and once when it ends."""

from __future__ import annotations

import logging

import pytest

from verifier.outage_log import OutageLog

pytestmark = pytest.mark.redis


def test_a_thousand_refusals_during_an_outage_make_a_few_lines(make_verifier, redis_server, issuer, caplog):
    v = make_verifier(redis_url=redis_server.url)
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"
    redis_server.kill()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="verifier"):
        for _ in range(45):  # 900 refusals (the kit allows 1000 codes at once)
            assert v.batch([issuer.minted() for _ in range(20)]).status_code == 503
        assert v.verify(issuer.minted()).status_code == 503
        v.flush_audit()
        redis_server.start()
        v.verify(issuer.minted())
        v.flush_audit()
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("verifier")]
    assert 2 <= len(lines) <= 8, lines  # start and end, for Redis, the shared limit and the audit stream
    assert any(line.startswith("redis unavailable") for line in lines)
    assert any(line.startswith("redis available again") for line in lines)


def test_periodic_count_while_down() -> None:
    now = [0.0]
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("tests.outage")
    logger.addHandler(Capture())
    outage = OutageLog(logger, "thing", interval_s=60, clock=lambda: now[0])
    for i in range(1000):
        now[0] = i * 0.15  # 150 s of failures
        outage.failed("refused")
    outage.ok()
    outage.ok()
    assert records[0] == "thing unavailable: refused"
    assert [r.split(":")[0] for r in records[1:3]] == ["thing still unavailable after 60 s", "thing still unavailable after 120 s"]
    assert records[3] == "thing available again after 150 s and 1000 failures"
    assert len(records) == 4
