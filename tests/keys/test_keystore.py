import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from keys.keypair import KeyFileError
from keys.keystore import DEFAULT_MAX_VALIDITY_S, KeyStore, passphrase_from_env
from keys.keyset import KeySet

NOW = 1_795_400_000


def test_generate_writes_only_encrypted_private_material(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "k", b"pw")
    record = store.generate(NOW)
    pem = (tmp_path / "k" / record.file).read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem
    assert stat.S_IMODE(os.stat(tmp_path / "k" / record.file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "k" / "rotation-secret.bin").st_mode) == 0o600
    secret = store.rotation_secret()
    assert len(secret) == 32
    assert secret not in (tmp_path / "k" / "rotation-secret.bin").read_bytes()
    assert store.signer().kid.hex() == record.kid
    with pytest.raises(KeyFileError) as info:
        store.generate(NOW)
    assert info.value.code == "KEYS_EXIST"


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    KeyStore(tmp_path, b"right").generate(NOW)
    wrong = KeyStore(tmp_path, b"wrong")
    with pytest.raises(KeyFileError) as info:
        wrong.signer()
    assert info.value.code == "BAD_PASSPHRASE_OR_FILE"
    with pytest.raises(KeyFileError):
        wrong.rotation_secret()
    with pytest.raises(KeyFileError):
        wrong.rotate(NOW + 10)
    assert len(KeyStore(tmp_path, b"right").records()) == 1  # a failed rotation changed nothing


def test_rotation_newest_signs_old_keeps_verifying_for_the_longest_validity(tmp_path: Path) -> None:
    store = KeyStore(tmp_path, b"pw")
    first = store.generate(NOW)
    later = NOW + 30 * 86400
    second = store.rotate(later)
    assert store.signer().kid.hex() == second.kid
    keyset = store.public_keyset(later)
    old = keyset.get(bytes.fromhex(first.kid))
    assert old is not None and old.status == "retired"
    assert old.not_after == later + DEFAULT_MAX_VALIDITY_S
    assert old.valid_at(later + DEFAULT_MAX_VALIDITY_S) and not old.valid_at(later + DEFAULT_MAX_VALIDITY_S + 1)
    new = keyset.get(bytes.fromhex(second.kid))
    assert new is not None and new.status == "active"


def test_public_key_set_round_trips_and_holds_no_private_material(tmp_path: Path) -> None:
    store = KeyStore(tmp_path, b"pw")
    store.generate(NOW)
    text = store.public_keyset(NOW).dumps()
    assert "PRIVATE" not in text
    assert KeySet.loads(text).to_json() == json.loads(text)


def test_passphrase_from_env(tmp_path: Path) -> None:
    assert passphrase_from_env({"PERMIT_KEY_PASSPHRASE": "x"}) == b"x"
    f = tmp_path / "pp"
    f.write_text("from-file\n")
    assert passphrase_from_env({"PERMIT_KEY_PASSPHRASE_FILE": str(f)}) == b"from-file"
    with pytest.raises(KeyFileError) as info:
        passphrase_from_env({})
    assert info.value.code == "PASSPHRASE_MISSING"
    with pytest.raises(KeyFileError) as info:
        passphrase_from_env({"PERMIT_KEY_PASSPHRASE_FILE": str(tmp_path / "missing")})
    assert info.value.code == "PASSPHRASE_FILE_UNREADABLE"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PERMIT_")}
    return subprocess.run([sys.executable, "-m", "keys", *args], env={**clean, **env}, capture_output=True, text=True)


def test_cli_generate_rotate_export_and_clear_errors(tmp_path: Path) -> None:
    d = str(tmp_path / "keys")
    ok = {"PERMIT_KEY_PASSPHRASE": "pw"}
    assert _cli("--dir", d, "generate", env=ok).returncode == 0
    assert _cli("--dir", d, "rotate", env=ok).returncode == 0
    out = _cli("--dir", d, "export-public", env=ok)
    assert out.returncode == 0 and len(KeySet.loads(out.stdout)) == 2
    # Without a passphrase the command is in development mode, as the service would be: the
    # generated dev passphrase does not open keys sealed with a real one.
    dev = _cli("--dir", d, "rotate", env={"ISSUER_VAR_DIR": str(tmp_path / "var")})
    assert dev.returncode == 2 and "BAD_PASSPHRASE_OR_FILE" in dev.stderr and "Traceback" not in dev.stderr
    missing = _cli("--dir", d, "rotate", env={"PERMIT_KEY_PASSPHRASE_FILE": str(tmp_path / "nowhere")})
    assert missing.returncode == 2 and "PASSPHRASE_FILE_UNREADABLE" in missing.stderr and "Traceback" not in missing.stderr
    wrong = _cli("--dir", d, "rotate", env={"PERMIT_KEY_PASSPHRASE": "nope"})
    assert wrong.returncode == 2 and "BAD_PASSPHRASE_OR_FILE" in wrong.stderr and "Traceback" not in wrong.stderr
    secret_file = tmp_path / "rs"
    assert _cli("--dir", d, "export-rotation-secret", "--out", str(secret_file), env=ok).returncode == 0
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
