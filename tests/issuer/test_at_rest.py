"""One-time-code seeds sealed in the registry: under the key store's data key, bound to their row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from issuer.at_rest import PREFIX, AtRest, SealedSecretError
from keys.keystore import KeyStore

KEY = bytes(range(32))


def test_a_sealed_secret_opens_for_its_row_only() -> None:
    box = AtRest(lambda: KEY)
    sealed = box.seal("JBSWY3DPEHPK3PXP", "officer:wang.li")
    assert sealed.startswith(PREFIX) and "JBSWY3DP" not in sealed
    assert sealed != box.seal("JBSWY3DPEHPK3PXP", "officer:wang.li")  # a fresh nonce each time
    assert box.open(sealed, "officer:wang.li") == "JBSWY3DPEHPK3PXP"
    with pytest.raises(SealedSecretError):
        box.open(sealed, "officer:zhao")  # moved to another account
    with pytest.raises(SealedSecretError):
        AtRest(lambda: bytes(32)).open(sealed, "officer:wang.li")  # another data key
    with pytest.raises(SealedSecretError):
        AtRest().open(sealed, "officer:wang.li")  # no key at all


def test_a_value_written_before_sealing_reads_as_it_stands_and_the_key_is_fetched_only_when_needed() -> None:
    fetched: list[int] = []
    box = AtRest(lambda: fetched.append(1) or KEY)  # type: ignore[func-returns-value]
    assert box.open("JBSWY3DPEHPK3PXP", "officer:wang.li") == "JBSWY3DPEHPK3PXP"
    assert fetched == []
    box.seal("x", "r")
    box.seal("y", "r")
    assert fetched == [1]


def test_the_data_key_is_made_once_and_kept_sealed(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", b"a passphrase for the test")
    store.generate(1_795_399_200)
    key = store.data_key()
    assert len(key) == 32 and store.data_key() == key
    assert key not in (tmp_path / "keys" / "data-key.bin").read_bytes()
    assert KeyStore(tmp_path / "keys", b"a passphrase for the test").data_key() == key


def test_the_service_keeps_officers_seeds_sealed_and_still_signs_them_in(app: Any, client: Any, clock: Any) -> None:
    from tests.issuer.console.conftest import make_officer, sign_in

    secrets = make_officer(app, "wang.li", "clerk")
    stored = app.state.issuer.worker.call_sync(lambda reg, lc: reg.connection.execute(
        "SELECT totp_secret FROM officers WHERE username = 'wang.li'").fetchone()[0])
    assert stored.startswith(PREFIX) and secrets.totp_secret not in stored
    sign_in(client, secrets, clock)
    assert client.get("/console/", follow_redirects=False).status_code == 200
