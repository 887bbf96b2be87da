"""Public endpoints of the issuer service: key set, status list, health, static files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from issuer.app import create_app
from issuer.config import Config
from issuer.devkeys import ADMIN_TOKEN_FILE, PASSPHRASE_FILE, ROTATION_SECRET_FILE
from keys.edge.env import Secret
from keys.keyset import KeySet
from keys.statuslist import MIN_SIZE, REVOKED, SUSPENDED, StatusList
from tests.issuer.app_helpers import (
    ADMIN,
    ADMIN_TOKEN,
    T0,
    Clock,
    TestClient,
    issue,
)


def test_keyset_is_public_keys_only(client: TestClient, issuer_keys) -> None:
    r = client.get("/.well-known/permit-keys.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    keyset = KeySet.loads(r.content)
    assert keyset.get(issuer_keys.signer.kid) is not None
    assert b"PRIVATE" not in r.content.upper() and b"passphrase" not in r.content
    again = client.get("/.well-known/permit-keys.json", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_no_private_file_is_reachable(client: TestClient, tmp_path: Path) -> None:
    for path in [
        "/var/issuer/keys/keyring.json",
        "/holder/static/../devkeys.py",
        "/holder/static/%2e%2e/devkeys.py",
        "/holder/static/..%2fdevkeys.py",
        "/keys/keyring.json",
        "/dev/key-passphrase",
        "/rotation-secret",
    ]:
        r = client.get(path)
        assert r.status_code == 404, path
        assert b"BEGIN" not in r.content


def test_status_list_signed_cached_and_rebuilt(client: TestClient, clock: Clock, issuer_keys) -> None:
    cred = issue(client)
    r = client.get("/v1/status-list")
    assert r.status_code == 200
    keyset = KeySet.loads(client.get("/.well-known/permit-keys.json").content)
    listed = StatusList.verify(r.content, keyset, clock())
    assert listed.size >= MIN_SIZE and listed.ttl == 60
    assert listed.status(cred["status_index"]) == 0
    etag = r.headers["etag"]
    assert "max-age" in r.headers["cache-control"]

    # Unchanged registry, within the ttl: the same document, and 304 for a matching ETag.
    clock.advance(10)
    assert client.get("/v1/status-list").headers["etag"] == etag
    assert client.get("/v1/status-list", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/v1/status-list", headers={"If-None-Match": '"other", ' + etag}).status_code == 304

    # A change is published at once.
    client.post(f"/admin/credentials/{cred['cred_id']}/suspend", json={"reason": "核查"}, headers=ADMIN)
    r = client.get("/v1/status-list", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    assert StatusList.verify(r.content, keyset, clock()).status(cred["status_index"]) == SUSPENDED

    client.post(f"/admin/credentials/{cred['cred_id']}/revoke", json={"reason": "注销"}, headers=ADMIN)
    r = client.get("/v1/status-list")
    assert StatusList.verify(r.content, keyset, clock()).status(cred["status_index"]) == REVOKED

    # Past the ttl it is re-signed with a fresh issued_at.
    etag = r.headers["etag"]
    clock.advance(61)
    r = client.get("/v1/status-list")
    assert r.headers["etag"] != etag
    assert StatusList.verify(r.content, keyset, clock()).issued_at == int(clock())


def test_healthz(client: TestClient, issuer_keys) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["kid"] == issuer_keys.signer.kid.hex()
    assert body["period"] == 15


def test_vendor_and_holder_page_are_served(client: TestClient) -> None:
    r = client.get("/vendor/qrcode.js")
    assert r.status_code == 200 and "qrcode" in r.text
    r = client.get("/holder/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/holder", follow_redirects=False).status_code == 307
    for path in ("/holder/static/holder.js", "/holder/static/holder.css", "/holder/sw.js"):
        assert client.get(path).status_code == 200, path


def test_security_headers_and_json_errors(client: TestClient) -> None:
    r = client.get("/no/such/path")
    assert r.status_code == 404
    assert r.json()["error"] == "NOT_FOUND"
    assert r.headers["x-content-type-options"] == "nosniff"
    r = client.delete("/v1/status-list")
    assert r.status_code == 405 and r.json()["error"] == "METHOD_NOT_ALLOWED"
    assert r.headers["allow"] == "GET, HEAD, OPTIONS"
    r = client.put("/admin/credentials")  # two routes on one path: every method is listed
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    r = client.options("/admin/credentials")
    assert r.status_code == 204 and r.headers["allow"] == "GET, HEAD, OPTIONS, POST"


def test_two_authorization_headers_are_refused(client: TestClient) -> None:
    twice = [("Authorization", f"Bearer {ADMIN_TOKEN}"), ("Authorization", "Bearer someone-else")]
    r = client.get("/admin/credentials", headers=twice)
    assert r.status_code == 400 and r.json()["error"] == "DUPLICATE_AUTHORIZATION"
    r = client.get("/v1/holder/credential", headers=twice)
    assert r.status_code == 400 and r.json()["error"] == "DUPLICATE_AUTHORIZATION"


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_first_run_creates_dev_keys_and_secrets(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = Config(registry_path=str(tmp_path / "reg.sqlite3"), keys_dir=tmp_path / "var/issuer/keys",
                    dev_dir=tmp_path / "var/dev")
    with caplog.at_level("WARNING"):
        app = create_app(config, clock=Clock(T0))
    assert "DEVELOPMENT KEYS" in caplog.text
    dev = tmp_path / "var/dev"
    for name in (PASSPHRASE_FILE, ROTATION_SECRET_FILE, ADMIN_TOKEN_FILE):
        assert _mode(dev / name) == 0o600, name
    assert (tmp_path / "var/issuer/keys/keyring.json").is_file()
    token = (dev / ADMIN_TOKEN_FILE).read_text().strip()
    with TestClient(app) as c:
        assert c.get("/admin/credentials?id_number=x", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        kid = c.get("/healthz").json()["kid"]
    # A second start reuses everything.
    again = create_app(config, clock=Clock(T0))
    assert again.state.issuer.keys.signer.kid.hex() == kid
    assert (dev / ADMIN_TOKEN_FILE).read_text().strip() == token
    import base64

    assert base64.b64decode((dev / ROTATION_SECRET_FILE).read_text()) == again.state.issuer.keys.rotation_secret


def test_configured_passphrase_writes_no_dev_files(tmp_path: Path) -> None:
    from keys.keypair import KeyFileError

    config = Config(registry_path=str(tmp_path / "reg.sqlite3"), keys_dir=tmp_path / "keys",
                    dev_dir=tmp_path / "dev", passphrase=Secret(b"a real passphrase"), admin_token=Secret("x" * 32))
    with pytest.raises(KeyFileError) as info:
        create_app(config, clock=Clock(T0))
    assert info.value.code == "NO_KEYS"
    from keys.keystore import KeyStore

    KeyStore(tmp_path / "keys", b"a real passphrase").generate(int(T0))
    app = create_app(config, clock=Clock(T0))
    assert app.state.issuer.keys.dev_mode is False
    assert not (tmp_path / "dev").exists()


def test_config_from_env(tmp_path: Path) -> None:
    from issuer.config import ConfigError

    cfg = Config.from_env({"ISSUER_VAR_DIR": str(tmp_path), "ISSUER_PERIOD_S": "30", "ISSUER_PASS_HOURS": "48"})
    assert cfg.period_s == 30 and cfg.pass_hours == 48 and cfg.dev_mode
    assert cfg.keys_dir == tmp_path / "issuer" / "keys"
    assert cfg.registry_path == str(tmp_path / "issuer" / "registry.sqlite3")
    with pytest.raises(ConfigError):
        Config.from_env({"ISSUER_PASS_HOURS": "73"})
    with pytest.raises(ConfigError):
        Config.from_env({"ISSUER_PERIOD_S": "abc"})
    secret_file = tmp_path / "pp"
    secret_file.write_text("file passphrase\n")
    cfg = Config.from_env({"PERMIT_KEY_PASSPHRASE_FILE": str(secret_file)})
    assert cfg.passphrase is not None and cfg.passphrase.reveal() == b"file passphrase" and not cfg.dev_mode
    assert "file passphrase" not in repr(cfg)


def test_admin_token_file(tmp_path: Path, issuer_keys) -> None:
    token_file = tmp_path / "admin-token"
    token_file.write_text("file-admin-token-0123456789\n")
    config = Config(registry_path=str(tmp_path / "reg.sqlite3"), keys_dir=tmp_path / "k", dev_dir=tmp_path / "d",
                    admin_token_file=token_file)
    with TestClient(create_app(config, clock=Clock(T0), keys=issuer_keys)) as c:
        ok = {"Authorization": "Bearer file-admin-token-0123456789"}
        assert c.get("/admin/credentials?id_number=1", headers=ok).status_code == 200
        assert c.get("/admin/credentials?id_number=1", headers=ADMIN).status_code == 401


def test_python_m_issuer_serve(tmp_path: Path) -> None:
    """The command line's ``serve`` starts this app; first run creates the dev files."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERMIT_", "ISSUER_"))}
    env["ISSUER_VAR_DIR"] = str(tmp_path / "var")
    proc = subprocess.Popen(
        [sys.executable, "-m", "issuer", "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.1)
        assert r.json()["dev_keys"] is True
        assert (tmp_path / "var/dev/rotation-secret").is_file()
        assert (tmp_path / "var/issuer/registry.sqlite3").is_file()
    finally:
        proc.terminate()
        try:
            output = proc.communicate(timeout=10)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            output = proc.communicate()[0].decode()
    assert "DEVELOPMENT KEYS IN USE" in output
