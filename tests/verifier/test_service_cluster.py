"""The same service, unchanged, on a 3-master Redis Cluster."""

from __future__ import annotations

import pytest

from keys.statuslist import REVOKED
from verifier.redis_replay import replay_key

from .service_kit import CLAIMS, OFFICIAL_KEY, settle_replay_epoch

pytestmark = pytest.mark.redis

STATUS = "/v1/status-list"


@pytest.fixture
def cluster(redis_cluster):
    redis_cluster.flushall()
    settle_replay_epoch(redis_cluster.client(), cluster=True)
    return redis_cluster


def test_two_instances_detect_replays_across_the_cluster(make_verifier, cluster, issuer, clock):
    a = make_verifier(redis_url=cluster.url, redis_cluster=True, sync_interval_s=30)
    b = make_verifier(redis_url=cluster.url, redis_cluster=True, sync_interval_s=30)
    assert issuer.fetches(STATUS) == [200]

    code = issuer.minted()
    assert a.verify(code).json()["reason"] == "VALID"
    assert b.verify(code).json()["reason"] == "REPLAYED"

    codes = [issuer.minted() for _ in range(60)]
    first = b.batch(codes)
    assert first.status_code == 200
    assert [r["reason"] for r in first.json()["results"]] == ["VALID"] * 60
    again = a.batch(codes + [code])
    assert [r["reason"] for r in again.json()["results"]] == ["REPLAYED"] * 61

    client = cluster.client()
    owners = {client.get_node_from_key(name).name for name in (replay_key("verifier", bytes([i])) for i in range(60))}
    assert len(owners) == 3  # replay keys spread over every master, no hot slot

    issuer.set_status(777, REVOKED)
    clock.advance(30)
    a.tick()
    b.tick()
    assert issuer.fetches(STATUS) == [200, 200]
    assert b.verify(issuer.minted(claims=CLAIMS._replace(ref=777))).json()["reason"] == "REVOKED"


def test_sessions_and_audit_on_the_cluster(make_verifier, cluster, issuer):
    a = make_verifier(redis_url=cluster.url, redis_cluster=True)
    b = make_verifier(redis_url=cluster.url, redis_cluster=True)
    assert a.client.post("/v1/session", json={"api_key": OFFICIAL_KEY}).status_code == 200
    b.client.cookies.update(a.client.cookies)
    assert b.client.get("/v1/session").json()["name"] == "police-1"
    assert b.client.post("/v1/verify", json={"code": issuer.minted()}, headers={"X-Requested-With": "scanner"}).json()["valid"]
    a.flush_audit()
    b.flush_audit()
    assert cluster.client().xlen("verifier:audit") == 1
    health = a.client.get("/healthz").json()
    assert health["status"] == "ok" and health["store"] == "redis-cluster" and health["redis"] == "ok"
