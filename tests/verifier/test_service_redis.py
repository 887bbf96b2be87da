"""The Redis stores: shared replay, status list and sessions; fail closed; recover by itself."""

from __future__ import annotations

import json
import time

import pytest

from keys.statuslist import REVOKED
from verifier.redis_replay import CLAIM_MANY_SHA

from .service_kit import CLAIMS

pytestmark = pytest.mark.redis

STATUS = "/v1/status-list"
SCANNER = {"X-Requested-With": "scanner"}


@pytest.fixture(params=["memory", "redis"])
def any_store(request, make_verifier):
    if request.param == "memory":
        return make_verifier()
    server = request.getfixturevalue("redis_server")
    return make_verifier(redis_url=server.url)


def test_both_stores_give_the_same_verdicts(any_store, issuer):
    v = any_store
    code = issuer.minted()
    assert v.verify(code).json()["reason"] == "VALID"
    assert v.verify(code).json()["reason"] == "REPLAYED"
    pass_code = issuer.offline()
    batch = v.batch([issuer.minted(), code, pass_code, pass_code, issuer.paper(), "RP:"]).json()
    assert [r["reason"] for r in batch["results"]] == ["VALID", "REPLAYED", "VALID", "REPLAYED", "VALID", "MALFORMED"]
    assert v.client.post("/v1/session", json={"api_key": "vk_official-test-key-0123456789abcdefghijklmnop"}).status_code == 200
    assert v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER).json()["valid"] is True
    assert v.client.get("/healthz").json()["store"] == v.config.store_kind


def test_two_instances_share_replays_status_and_sessions(make_verifier, redis_server, issuer, clock):
    a = make_verifier(redis_url=redis_server.url, sync_interval_s=30)
    b = make_verifier(redis_url=redis_server.url, sync_interval_s=30)
    assert issuer.fetches(STATUS) == [200]  # b found a's fresh list in Redis and did not fetch

    code = issuer.minted()
    assert a.verify(code).json()["reason"] == "VALID"
    assert b.verify(code).json()["reason"] == "REPLAYED"
    codes = [issuer.minted() for _ in range(5)]
    assert [r["reason"] for r in b.batch(codes).json()["results"]] == ["VALID"] * 5
    assert [r["reason"] for r in a.batch(codes + [code]).json()["results"]] == ["REPLAYED"] * 6

    mine = CLAIMS._replace(ref=31337)
    issuer.set_status(31337, REVOKED)
    clock.advance(30)
    b.tick()  # b is due, fetches and publishes
    a.tick()  # a is not due any more: it adopts b's list from Redis
    assert issuer.fetches(STATUS) == [200, 200]
    assert a.verify(issuer.minted(claims=mine)).json()["reason"] == "REVOKED"
    assert b.verify(issuer.minted(claims=mine)).json()["reason"] == "REVOKED"
    assert a.verify(issuer.minted()).json()["status_age_s"] == 0

    a.client.post("/v1/session", json={"api_key": "vk_official-test-key-0123456789abcdefghijklmnop"})
    b.client.cookies.update(a.client.cookies)
    assert b.client.get("/v1/session").json()["name"] == "police-1"


def test_batch_claims_replays_in_one_round_trip(make_verifier, redis_server, issuer):
    v = make_verifier(redis_url=redis_server.url)
    handle = v.service.redis
    calls = []
    original = handle.run

    def counting(operation):
        calls.append(operation)
        return original(operation)

    handle.run = counting
    client = redis_server.client()
    v.batch([issuer.minted()])  # the script is loaded once (EVAL after NOSCRIPT on a fresh server)
    v.flush_audit()
    calls.clear()
    stats = client.info("commandstats")
    before = {name: stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("set", "evalsha", "xadd")}
    response = v.batch([issuer.minted() for _ in range(50)] + ["RP:1"])
    assert [r["reason"] for r in response.json()["results"]].count("VALID") == 50
    v.flush_audit()
    stats = client.info("commandstats")
    after = {name: stats[f"cmdstat_{name}"]["calls"] for name in ("set", "evalsha", "xadd")}
    assert {name: after[name] - before[name] for name in after} == {"set": 50, "evalsha": 1, "xadd": 51}
    # the shared rate limit (one script), one script call doing 50 SET NX PX, one pipeline of 51 XADD for the audit
    assert len(calls) == 3
    assert client.xlen("verifier:audit") == 52


def test_batch_claims_survive_a_flushed_script_cache(make_verifier, redis_server, issuer):
    v = make_verifier(redis_url=redis_server.url)
    codes = [issuer.minted() for _ in range(3)]
    assert [r["reason"] for r in v.batch(codes[:2]).json()["results"]] == ["VALID", "VALID"]
    redis_server.client().script_flush()  # what a restart does to the script cache
    assert [r["reason"] for r in v.batch(codes).json()["results"]] == ["REPLAYED", "REPLAYED", "VALID"]
    assert redis_server.client().script_exists(CLAIM_MANY_SHA) == [True]


def test_audit_goes_to_the_stream(make_verifier, redis_server, issuer):
    v = make_verifier(redis_url=redis_server.url)
    v.verify(issuer.minted())
    v.flush_audit()
    entries = redis_server.client().xrange("verifier:audit")
    assert len(entries) == 1
    fields = {k.decode(): val.decode() for k, val in entries[0][1].items()}
    assert fields["caller"] == "police-1" and fields["reason"] == "VALID" and fields["mode"] == "MINTED"
    assert len(fields["cred_ref"]) == 64 and fields["offline"] == "false"
    assert "张伟" not in json.dumps(fields, ensure_ascii=False)
    assert not v.config.audit_file.exists()


def test_redis_down_fails_closed_and_recovers_without_restart(make_verifier, redis_server, issuer, clock):
    v = make_verifier(redis_url=redis_server.url, sync_interval_s=30)
    v.client.post("/v1/session", json={"api_key": "vk_official-test-key-0123456789abcdefghijklmnop"})
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"
    v.flush_audit()  # this record reaches the stream; those of the outage go to the file

    redis_server.kill()
    started = time.monotonic()
    down = v.verify(issuer.minted())
    assert time.monotonic() - started < 1.0  # no retries with backoff: the answer comes at once
    assert down.status_code == 503
    body = down.json()
    assert body["reason"] == "SERVICE_UNAVAILABLE" and body["valid"] is False
    assert down.headers["retry-after"]
    batch = v.batch([issuer.minted(), "RP:1"])
    assert batch.status_code == 503
    assert [r["reason"] for r in batch.json()["results"]] == ["SERVICE_UNAVAILABLE", "MALFORMED"]
    session = v.client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER)
    assert session.status_code == 503 and session.json()["error"] == "SERVICE_UNAVAILABLE"
    health = v.client.get("/healthz")
    assert health.status_code == 503 and "redis unavailable" in health.json()["problems"]
    clock.advance(30)
    v.tick()  # the refresh step survives the outage
    assert v.service.metrics.events["status_share_unavailable"] >= 1
    fallback = v.audit_lines()
    assert [r["reason"] for r in fallback] == ["SERVICE_UNAVAILABLE", "SERVICE_UNAVAILABLE", "MALFORMED"]

    redis_server.start()  # same port, empty: nothing was persisted, no script cached
    lost = v.verify(issuer.minted())  # the store may have lost claims: codes of these steps are refused
    assert lost.status_code == 503 and lost.json()["reason"] == "SERVICE_UNAVAILABLE"
    clock.advance(45)  # the holder shows a code of a step that began after the restart
    back = v.verify(issuer.minted())
    assert back.status_code == 200 and back.json()["reason"] == "VALID"
    again = v.batch([issuer.minted(), issuer.minted()])
    assert again.status_code == 200 and [r["reason"] for r in again.json()["results"]] == ["VALID", "VALID"]
    v.tick()
    assert issuer.fetches(STATUS)[-1] == 200  # the shared list was republished
    assert redis_server.client().hget("verifier:{status}:list", "digest")
    assert v.client.get("/healthz").status_code == 200


def test_redis_down_at_start_up(make_verifier, redis_server, issuer, clock):
    redis_server.kill()
    v = make_verifier(redis_url=redis_server.url)
    assert v.verify(issuer.minted()).status_code == 503
    redis_server.start()
    v.tick(force=True)
    assert v.verify(issuer.minted()).json()["reason"] == "SERVICE_UNAVAILABLE"  # an empty store: may have lost claims
    clock.advance(45)
    v.tick(force=True)
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"
