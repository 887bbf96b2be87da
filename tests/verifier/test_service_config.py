"""Configuration from the environment, the dev first run, and the command line."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from verifier import devsetup
from verifier.__main__ import main
from verifier.auth import KeyRegistry, load_keys
from verifier.config import Config, ConfigError
from tests.fixtures.redis_server import free_port

from .service_kit import ROTATION_SECRET, FakeIssuer, Verifier, make_config

REPO = Path(__file__).resolve().parents[2]


def _secret_file(path: Path, secret: bytes = b"s" * 32) -> Path:
    path.write_text(base64.b64encode(secret).decode() + "\n")
    return path


def _configured(tmp_path: Path, **extra: str) -> dict[str, str]:
    keys = tmp_path / "keys.json"
    keys.write_text("[]")
    env = {"VERIFIER_API_KEYS_FILE": str(keys), "VERIFIER_AUDIT_KEY_FILE": str(_secret_file(tmp_path / "audit-key"))}
    env.update(extra)
    return env


def test_configured_mode_reads_every_setting(tmp_path):
    secret = _secret_file(tmp_path / "rotation", ROTATION_SECRET)
    config = Config.from_env(
        _configured(
            tmp_path,
            ISSUER_URL="https://issuer.example",
            REDIS_URL="redis://:hunter2@127.0.0.1:7000/0",
            REDIS_CLUSTER="1",
            VERIFIER_ROTATION_SECRET_FILE=str(secret),
            VERIFIER_SYNC_INTERVAL_S="10",
            VERIFIER_MAX_STATUS_AGE_S="60",
            VERIFIER_RATE_PER_S="5",
            VERIFIER_RATE_BURST="7",
            VERIFIER_BATCH_MAX="100",
            VERIFIER_COOKIE_SECURE="1",
        )
    )
    assert config.redis_cluster is True
    assert config.rotation_secret is not None and config.rotation_secret.reveal() == ROTATION_SECRET
    assert config.status_url == "https://issuer.example/v1/status-list"
    assert config.keyset_url == "https://issuer.example/.well-known/permit-keys.json"
    assert (config.sync_interval_s, config.max_status_age_s, config.rate_per_s, config.rate_burst) == (10, 60, 5, 7)
    assert config.batch_max == 100 and config.cookie_secure is True
    text = repr(config)
    assert "hunter2" not in text and ROTATION_SECRET.hex() not in text and str(ROTATION_SECRET) not in text
    assert "rotation_secret=Secret('**********')" in text and "audit_key=Secret('**********')" in text


def test_cluster_chosen_by_url_scheme(tmp_path):
    config = Config.from_env(_configured(tmp_path, REDIS_URL="redis+cluster://127.0.0.1:7000"))
    assert config.redis_cluster and config.redis_url == "redis://127.0.0.1:7000"
    assert config.store_kind == "redis-cluster"


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        ({"VERIFIER_AUDIT_KEY_FILE": ""}, "VERIFIER_AUDIT_KEY_FILE"),
        ({"VERIFIER_AUDIT_KEY_FILE": "/nonexistent/key"}, "VERIFIER_AUDIT_KEY_FILE"),
        ({"VERIFIER_API_KEYS_FILE": "/nonexistent/keys.json"}, "VERIFIER_API_KEYS_FILE"),
        ({"VERIFIER_SYNC_INTERVAL_S": "soon"}, "VERIFIER_SYNC_INTERVAL_S"),
        ({"VERIFIER_MAX_STATUS_AGE_S": "0"}, "VERIFIER_MAX_STATUS_AGE_S"),
        ({"VERIFIER_MAX_STATUS_AGE_S": "20", "VERIFIER_SYNC_INTERVAL_S": "30"}, "VERIFIER_MAX_STATUS_AGE_S"),
        ({"VERIFIER_BATCH_MAX": "1.5"}, "VERIFIER_BATCH_MAX"),
        ({"REDIS_CLUSTER": "1"}, "REDIS_CLUSTER"),
        ({"REDIS_CLUSTER": "maybe", "REDIS_URL": "redis://h:1"}, "REDIS_CLUSTER"),
        ({"REDIS_URL": "http://h:1"}, "REDIS_URL"),
        ({"ISSUER_URL": "issuer:8000"}, "ISSUER_URL"),
        ({"VERIFIER_KEYSET_FILE": "/nonexistent/keys.json"}, "VERIFIER_KEYSET_FILE"),
        ({"VERIFIER_ROTATION_SECRET_FILE": "/nonexistent"}, "VERIFIER_ROTATION_SECRET_FILE"),
    ],
)
def test_bad_settings_name_the_variable(tmp_path, extra, names):
    with pytest.raises(ConfigError, match=names):
        Config.from_env(_configured(tmp_path, **extra))


def test_secret_files_are_checked(tmp_path):
    (tmp_path / "short").write_text(base64.b64encode(b"x" * 8).decode())
    (tmp_path / "notb64").write_text("!!!")
    for name in ("short", "notb64"):
        with pytest.raises(ConfigError, match="VERIFIER_ROTATION_SECRET_FILE"):
            Config.from_env(_configured(tmp_path, VERIFIER_ROTATION_SECRET_FILE=str(tmp_path / name)))


def test_bad_key_files_are_explained(tmp_path):
    cases = {
        "not json": "not JSON",
        "{}": "JSON list",
        '[{"name": "a", "role": "admin", "sha256": "' + "0" * 64 + '"}]': "role",
        '[{"name": "a", "role": "official", "sha256": "short"}]': "sha256",
        '[{"name": "", "role": "official", "sha256": "' + "0" * 64 + '"}]': "name",
    }
    for text, words in cases.items():
        path = tmp_path / "keys.json"
        path.write_text(text)
        with pytest.raises(ConfigError, match=words):
            load_keys(path)


def test_dev_first_run_creates_keys_once(tmp_path):
    env = {"VERIFIER_VAR_DIR": str(tmp_path / "var")}
    notes = devsetup.prepare(env)
    plain_file = tmp_path / "var" / "dev" / "verifier-api-keys.txt"
    assert stat.S_IMODE(plain_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "var" / "verifier" / "audit-key").stat().st_mode) == 0o600
    plain = dict(line.split("=", 1) for line in plain_file.read_text().splitlines())
    assert any(plain["OFFICIAL_KEY"] in note for note in notes) and any(plain["BUSINESS_KEY"] in note for note in notes)
    registry = KeyRegistry(tmp_path / "var" / "verifier" / "api-keys.json")
    assert registry.lookup(plain["OFFICIAL_KEY"]).role == "official"
    assert registry.lookup(plain["BUSINESS_KEY"]).role == "business"
    key_file_text = (tmp_path / "var" / "verifier" / "api-keys.json").read_text()
    assert plain["OFFICIAL_KEY"] not in key_file_text  # only hashes are stored

    again = devsetup.prepare(env)
    assert all(plain["OFFICIAL_KEY"] not in note for note in again)  # printed once, never again
    assert dict(line.split("=", 1) for line in plain_file.read_text().splitlines()) == plain

    config = Config.from_env(env)
    assert config.rotation_secret is None
    _secret_file(tmp_path / "var" / "dev" / "rotation-secret", ROTATION_SECRET)
    held = Config.from_env(env).rotation_secret
    assert held is not None and held.reveal() == ROTATION_SECRET  # the issuer's dev copy


def test_add_key_command(tmp_path, capsys, clock):
    path = tmp_path / "keys.json"
    assert main(["add-key", "--name", "clerk-7", "--role", "official", "--file", str(path)]) == 0
    plain = capsys.readouterr().out.strip()
    assert plain.startswith("vk_") and len(plain) > 40
    assert main(["add-key", "--name", "clerk-7", "--role", "business", "--file", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["add-key", "--name", "bad name!", "--role", "official", "--file", str(path)]) == 2
    assert [k.name for k in load_keys(path)] == ["clerk-7"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_added_while_running_works_without_restart(tmp_path, clock, capsys):
    issuer = FakeIssuer(clock)
    v = Verifier(make_config(tmp_path), issuer, clock)
    try:
        capsys.readouterr()
        main(["add-key", "--name", "late", "--role", "business", "--file", str(v.config.api_keys_file)])
        plain = capsys.readouterr().out.strip()
        clock.advance(1.5)
        assert v.verify(issuer.minted(), key=plain).status_code == 200
    finally:
        v.close()


def test_serve_command_starts_in_the_embedded_default(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VERIFIER_", "REDIS_", "ISSUER_URL"))},
        "VERIFIER_VAR_DIR": str(tmp_path / "var"),
        "ISSUER_URL": f"http://127.0.0.1:{free_port()}",  # nobody listens: the service starts degraded
        "PYTHONPATH": str(REPO),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "verifier", "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert health is not None, "the verifier did not start"
        assert health.status_code == 503 and "no key set" in health.json()["problems"]
        plain = dict(line.split("=", 1) for line in (tmp_path / "var" / "dev" / "verifier-api-keys.txt").read_text().splitlines())
        answer = httpx.post(
            f"http://127.0.0.1:{port}/v1/verify", json={"code": "RP:1"}, headers={"Authorization": f"Bearer {plain['OFFICIAL_KEY']}"}
        )
        assert answer.status_code == 200 and answer.json()["reason"] == "MALFORMED"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert plain["OFFICIAL_KEY"] in err and plain["BUSINESS_KEY"] in err


def test_serve_refuses_a_bad_configuration(tmp_path):
    env = {**os.environ, "VERIFIER_API_KEYS_FILE": str(tmp_path / "missing.json"), "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "verifier", "serve", "--port", "1"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "VERIFIER_API_KEYS_FILE" in result.stderr and "Traceback" not in result.stderr
