"""Every command line opens the files of the server it belongs to, from the same environment.

``python -m issuer <command>``, ``python -m keys <command>`` and ``python -m verifier add-key``
resolve their files through the configuration their server reads (``issuer.config.Config``,
``keys.storeconfig.KeyStoreConfig``, ``verifier.config``), so with ``ISSUER_VAR_DIR`` or
``VERIFIER_VAR_DIR`` set, what a clerk or an operator does on the command line is what the
running service sees.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from issuer.app import create_app as create_issuer
from issuer.cli import main as issuer_cli
from issuer.config import Config as IssuerConfig
from keys.__main__ import main as keys_cli
from tests.issuer.app_helpers import T0, Clock
from tests.issuer.idgen import make_id
from verifier.__main__ import main as verifier_cli
from verifier.app import load_config
from verifier.auth import KeyRegistry

ISSUER_ENV_NAMES = ("ISSUER_DB", "ISSUER_KEYS_DIR", "ISSUER_DEV_DIR", "ISSUER_ADMIN_TOKEN", "ISSUER_ADMIN_TOKEN_FILE",
                    "PERMIT_KEY_PASSPHRASE", "PERMIT_KEY_PASSPHRASE_FILE")
VERIFIER_ENV_NAMES = ("VERIFIER_API_KEYS_FILE", "VERIFIER_AUDIT_KEY_FILE", "VERIFIER_ROTATION_SECRET_FILE",
                      "VERIFIER_AUDIT_FILE", "REDIS_URL", "REDIS_CLUSTER")


@pytest.fixture
def issuer_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ISSUER_ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    var = tmp_path / "issuer-var"
    monkeypatch.setenv("ISSUER_VAR_DIR", str(var))
    return var


def test_issuer_command_line_and_server_open_the_same_registry_and_keys(issuer_var: Path) -> None:
    id_number = make_id(seq=41)
    out, err = io.StringIO(), io.StringIO()
    code = issuer_cli(["issue", "--type", "居住证", "--name", "张伟", "--id-number", id_number,
                       "--address", "北京市海淀区学院路1号", "--district", "海淀区", "--actor", "clerk:test"],
                      now=datetime.fromtimestamp(T0).astimezone(), stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    cred_id = re.search(r"cred_id:\s+([0-9a-f]{16})", out.getvalue())
    assert cred_id is not None

    config = IssuerConfig.from_env()
    assert Path(config.registry_path) == issuer_var / "issuer" / "registry.sqlite3"
    with TestClient(create_issuer(config, clock=Clock())) as client:
        token = (issuer_var / "dev" / "issuer-admin-token").read_text().strip()
        found = client.get("/admin/credentials", params={"id_number": id_number},
                           headers={"Authorization": f"Bearer {token}"}).json()["credentials"]
        assert [c["cred_id"] for c in found] == [cred_id.group(1)]
        first = client.get("/.well-known/permit-keys.json").json()

    # `python -m keys rotate` with the same environment rotates the keys this server signs with.
    assert keys_cli(["rotate"]) == 0
    assert (issuer_var / "issuer" / "keys" / "keyring.json").is_file()
    with TestClient(create_issuer(IssuerConfig.from_env(), clock=Clock())) as client:
        rotated = client.get("/.well-known/permit-keys.json").json()
    assert len(rotated["keys"]) == len(first["keys"]) + 1


def test_verifier_add_key_writes_the_file_the_server_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    for name in VERIFIER_ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    var = tmp_path / "verifier-var"
    monkeypatch.setenv("VERIFIER_VAR_DIR", str(var))
    config = load_config(announce=lambda line: None)  # the server's first start creates the dev files
    assert config.api_keys_file == var / "verifier" / "api-keys.json"
    assert verifier_cli(["add-key", "--name", "landlord-7", "--role", "business"]) == 0
    plain = capsys.readouterr().out.strip()
    registry = KeyRegistry(load_config(announce=lambda line: None).api_keys_file)
    found = registry.lookup(plain)
    assert found is not None and found.name == "landlord-7" and found.role == "business"
