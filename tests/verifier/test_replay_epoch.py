"""The replay epoch: a store that may have lost claims never lets a code through twice.

Codes accepted, then the store loses its memory (Redis killed with no
persistence and restarted empty, a cluster node restarted, a failover to a
replica without the last writes, the verifier process crashed): the same codes
shown again are never VALID; codes of steps that begin afterwards are.
"""

from __future__ import annotations

import math

import pytest

from tests.fixtures.redis_server import RedisServer
from verifier.replay import MemoryReplayStore
from verifier.replay_state import open_memory_store, save_memory_store

from .service_kit import settle_replay_epoch

pytestmark = pytest.mark.redis

AFTER = 45  # seconds until codes begin whose whole window follows a loss (skew 1, 15 s steps, 1 s margin)


def reasons(verifier, codes):  # type: ignore[no-untyped-def]
    return [r["reason"] for r in verifier.batch(codes).json()["results"]]


def test_codes_accepted_before_redis_lost_its_data_are_never_valid_again(make_verifier, redis_server, issuer, clock):
    v = make_verifier(redis_url=redis_server.url)
    singles = [issuer.minted() for _ in range(20)]
    batched = [issuer.minted() for _ in range(30)] + [issuer.offline()]
    assert [v.verify(code).json()["reason"] for code in singles] == ["VALID"] * 20
    assert reasons(v, batched) == ["VALID"] * 31

    redis_server.kill()  # SIGKILL; started with --save "" --appendonly no: every claim is gone
    assert v.verify(singles[0]).json()["reason"] == "SERVICE_UNAVAILABLE"
    redis_server.start()
    assert not redis_server.client().keys("verifier:*replay-epoch")  # empty (but for audit records flushed since)

    clock.advance(5)  # same step: the codes are still inside their window
    again = [v.verify(code).json()["reason"] for code in singles] + reasons(v, batched)
    assert "VALID" not in again
    assert set(again) <= {"SERVICE_UNAVAILABLE", "REPLAYED"}
    other = make_verifier(redis_url=redis_server.url)  # another instance, which saw nothing before
    assert "VALID" not in [other.verify(code).json()["reason"] for code in singles] + reasons(other, batched)

    clock.advance(AFTER)
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"  # the holder's next code
    assert reasons(other, [issuer.minted(), issuer.offline()]) == ["VALID", "VALID"]


def test_a_replica_without_the_last_writes_is_detected(make_verifier, redis_server, issuer, clock):
    v = make_verifier(redis_url=redis_server.url)
    client = redis_server.client()
    kept = issuer.minted()
    assert v.verify(kept).json()["reason"] == "VALID"
    snapshot = client.hgetall("verifier:replay-epoch")  # what a replica had replicated so far
    lost = [issuer.minted() for _ in range(5)]
    assert reasons(v, lost) == ["VALID"] * 5
    # Failover: the promoted replica has the marker, but neither the last claims nor the last count.
    for key in client.scan_iter("verifier:{rp:*"):
        if not key.endswith(b"replay-epoch"):
            client.delete(key)
    client.hset("verifier:replay-epoch", mapping=snapshot)

    assert "VALID" not in reasons(v, lost)
    assert float(client.hget("verifier:replay-epoch", "e")) == clock()  # moved on for every instance
    clock.advance(AFTER)
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"


def test_concurrent_replies_out_of_order_are_not_a_loss(make_verifier, redis_server, issuer, clock):
    v = make_verifier(redis_url=redis_server.url)
    store = v.service.replay
    marker = "verifier:replay-epoch"
    assert store.claim_many([(b"zero", 30.0)], clock()) == [True]
    before = store._before(marker)
    assert store.claim_many([(b"one", 30.0)], clock()) == [True]
    settled = store.epoch_of(b"one")
    # A call sent together with the last one, answered after it: its count is lower, but above ``before``.
    assert store._observe(marker, before, [repr(before[0]), before[1] + 1, 1], clock()) == [True]
    assert store.epoch_of(b"one") == settled < clock()
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"


def test_a_restarted_cluster_node_refuses_what_it_forgot(make_verifier, redis_cluster, issuer, clock):
    redis_cluster.flushall()
    settle_replay_epoch(redis_cluster.client(), cluster=True)
    v = make_verifier(redis_url=redis_cluster.url, redis_cluster=True)
    codes = [issuer.minted() for _ in range(40)]  # spread over the three masters
    assert reasons(v, codes) == ["VALID"] * 40

    node = redis_cluster.nodes[1]
    node.kill()
    node.start()  # same port and nodes.conf: it rejoins owning its slots, with no data
    redis_cluster.wait_ok()
    assert node.client().dbsize() == 0

    again = reasons(v, codes)
    assert "VALID" not in again
    clock.advance(AFTER)
    assert reasons(v, [issuer.minted() for _ in range(10)]) == ["VALID"] * 10


def test_a_verifier_that_crashed_refuses_what_it_may_have_accepted(make_verifier, tmp_path, issuer, clock):
    var = tmp_path / "var-shared"
    first = make_verifier(var_dir=var)
    code = issuer.minted()
    assert first.verify(code).json()["reason"] == "VALID"
    # A crash: the process is gone without its clean stop (the state file still says "running").
    second = make_verifier(var_dir=var)
    assert second.verify(code).json()["reason"] == "SERVICE_UNAVAILABLE"
    assert second.verify(issuer.minted()).json()["reason"] == "SERVICE_UNAVAILABLE"
    clock.advance(AFTER)
    assert second.verify(issuer.minted()).json()["reason"] == "VALID"


def test_a_clean_restart_keeps_the_claims(make_verifier, tmp_path, issuer, clock):
    var = tmp_path / "var-clean"
    first = make_verifier(var_dir=var)
    code = issuer.minted()
    assert first.verify(code).json()["reason"] == "VALID"
    first.close()  # lifespan end: the claims still in their window are written out
    second = make_verifier(var_dir=var)
    assert second.verify(code).json()["reason"] == "REPLAYED"
    assert second.verify(issuer.minted()).json()["reason"] == "VALID"


def test_memory_state_file(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "state.json"
    store = open_memory_store(path, 100.0)
    assert store.epoch == -math.inf  # a first start: nothing can have been accepted yet
    assert store.claim(b"a", 30.0, 100.0) and store.claim(b"b", 5.0, 100.0)
    save_memory_store(path, store, 110.0)
    back = open_memory_store(path, 111.0)
    assert back.epoch == -math.inf and len(back) == 1  # b's window had ended
    assert not back.claim(b"a", 30.0, 112.0)
    crashed = open_memory_store(path, 120.0)  # the file says "running": the last run did not stop cleanly
    assert crashed.epoch == 120.0
    path.write_text("{not json")
    assert open_memory_store(path, 130.0).epoch == 130.0
    assert MemoryReplayStore(epoch=5.0).epoch_of(b"any") == 5.0


def test_a_claim_that_arrives_too_late_is_not_trusted(make_verifier, redis_server, issuer, clock):
    """Redis expires claims on its own clock: a claim made long after the window was judged is refused."""
    v = make_verifier(redis_url=redis_server.url)
    code = issuer.minted()
    store = v.service.replay
    original = store.claim_many

    def slow(items, now):  # type: ignore[no-untyped-def]
        clock.advance(10)  # ten seconds between reading the clock and the claim's reply
        return original(items, now)

    store.claim_many = slow
    assert v.verify(code).json()["reason"] == "SERVICE_UNAVAILABLE"
    assert [r["reason"] for r in v.batch([issuer.minted(), issuer.paper()]).json()["results"]] == [
        "SERVICE_UNAVAILABLE", "VALID"]
    store.claim_many = original
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"
    ttls = [redis_server.client().pttl(k) for k in redis_server.client().keys("verifier:{rp:*") if b"epoch" not in k]
    assert ttls and min(ttls) > 10_000  # each claim outlives its window by the slack
