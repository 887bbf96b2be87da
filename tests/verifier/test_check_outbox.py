"""The check-records outbox and its settings: what waits for the issuer, shared through Redis, expired unsent."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from keys.edge.env import ConfigError
from keys.sealed_ref import new_private_key, open_ref, public_key_of
from verifier.check_records import (
    RETENTION_S,
    CheckEvent,
    MemoryCheckOutbox,
    RedisCheckOutbox,
    Sealer,
    check_record,
    expired_prefix,
)
from verifier.config import Config
from verifier.disclosure import iso_utc
from verifier.organisations import Organisation
from verifier.redis_stores import RedisHandle

from .service_kit import NOW, write_test_keys

ORG = Organisation("lianjia-hd", "链家地产海淀店", "Lianjia Haidian", "business")


def event(at: float, hashed: bytes = bytes(32)) -> CheckEvent:
    return CheckEvent(iso_utc(at), "lj-1", "business", "VALID", "MINTED", hashed,
                      ("district", "permit_type", "valid_until"), False)


def test_a_record_names_the_organisation_and_seals_the_permit(clock: Any) -> None:
    private = new_private_key()
    sealer = Sealer(public_key_of(private), clock)
    record = check_record(event(NOW, b"\x07" * 32), ORG, sealer)
    assert record["organisation"] == {"id": "lianjia-hd", "zh": "链家地产海淀店", "en": "Lianjia Haidian"}
    assert open_ref(private, record["holder"]) == b"\x07" * 32
    again = check_record(event(NOW + 10, b"\x07" * 32), ORG, sealer)
    assert again["holder"] == record["holder"] and again["id"] != record["id"]  # one seal per permit per hour
    clock.advance(3601)
    assert check_record(event(NOW, b"\x07" * 32), ORG, sealer)["holder"] != record["holder"]


def test_records_past_the_retention_are_found_oldest_first() -> None:
    now = NOW + RETENTION_S
    records = [{"checked_at": iso_utc(NOW - 10)}, {"checked_at": iso_utc(NOW - 1)}, {"checked_at": iso_utc(NOW + 5)}]
    assert expired_prefix(records, now) == 2
    assert expired_prefix(records, NOW) == 0


def test_the_memory_outbox_keeps_the_newest_when_full() -> None:
    dropped: list[int] = []
    box = MemoryCheckOutbox(max_records=2, on_dropped=dropped.append)
    box.write([{"n": 1}, {"n": 2}, {"n": 3}])
    assert box.peek(10) == [{"n": 2}, {"n": 3}] and dropped == [1]
    box.drop(1)
    assert len(box) == 1


@pytest.mark.redis
def test_the_redis_outbox_is_shared_and_one_instance_pushes_at_a_time(redis_server: Any, tmp_path: Path) -> None:
    config = Config(api_keys_file=write_test_keys(tmp_path / "keys.json"), redis_url=redis_server.url,
                    redis_prefix="checks-test")
    a, b = RedisCheckOutbox(RedisHandle(config)), RedisCheckOutbox(RedisHandle(config))
    a.write([{"id": "1", "organisation": {"zh": "链家"}}])
    b.write([{"id": "2"}])
    assert [r["id"] for r in b.peek(10)] == ["1", "2"] and len(a) == 2
    assert a.peek(10)[0]["organisation"]["zh"] == "链家"
    assert a.try_lock(60) and not b.try_lock(60)
    b.unlock()  # not b's lock: still held
    assert not b.try_lock(60)
    a.unlock()
    assert b.try_lock(60)
    b.drop(1)
    assert [r["id"] for r in a.peek(10)] == ["2"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    keys = write_test_keys(tmp_path / "keys.json")
    audit = tmp_path / "audit-key"
    audit.write_text(base64.b64encode(bytes(32)).decode())
    return {"VERIFIER_API_KEYS_FILE": str(keys), "VERIFIER_AUDIT_KEY_FILE": str(audit), **extra}


def test_the_check_settings_come_together_or_not_at_all(tmp_path: Path) -> None:
    assert not Config.from_env(_env(tmp_path)).records_checks
    public = tmp_path / "checks.pub"
    public.write_text(base64.b64encode(public_key_of(new_private_key())).decode())
    token = tmp_path / "token"
    token.write_text("vt_" + "x" * 40 + "\n")
    config = Config.from_env(_env(tmp_path, VERIFIER_CHECKS_PUBLIC_KEY_FILE=str(public),
                                  VERIFIER_CHECKS_TOKEN_FILE=str(token)))
    assert config.records_checks and config.checks_url == "http://127.0.0.1:8000/v1/check-records"
    assert "vt_" not in repr(config)
    with pytest.raises(ConfigError, match="go together"):
        Config.from_env(_env(tmp_path, VERIFIER_CHECKS_PUBLIC_KEY_FILE=str(public)))
    public.write_text(base64.b64encode(bytes(16)).decode())
    with pytest.raises(ConfigError, match="32-byte"):
        Config.from_env(_env(tmp_path, VERIFIER_CHECKS_PUBLIC_KEY_FILE=str(public),
                             VERIFIER_CHECKS_TOKEN_FILE=str(token)))


def test_the_embedded_default_uses_the_issuers_dev_files(tmp_path: Path) -> None:
    from verifier.devsetup import prepare

    env = {"VERIFIER_VAR_DIR": str(tmp_path / "var")}
    prepare(env)
    assert not Config.from_env(env).records_checks
    dev = tmp_path / "var" / "dev"
    (dev / "check-records-public-key").write_text(base64.b64encode(public_key_of(new_private_key())).decode())
    (dev / "verifier-checks-token").write_text("y" * 43 + "\n")
    assert Config.from_env(env).records_checks
