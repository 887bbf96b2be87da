"""Device keys in the registry: their status-list indices and what revokes them."""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

import pytest

from issuer.errors import InvalidStateError, NotFoundError
from issuer.registry import Registry
from issuer.schema import _MIGRATIONS, SCHEMA_VERSION, connect
from keys.device_key import DeviceAlg, DeviceKeyError, DeviceSigner
from keys.statuslist import REVOKED
from tests.issuer.clock import CLERK, NOW
from tests.issuer.test_registry import new

ED = DeviceSigner(DeviceAlg.ED25519, bytes(range(10, 42))).field
P256 = DeviceSigner(DeviceAlg.P256, bytes(range(11, 43))).field


def _device(registry: Registry, cred_id: str | None = None) -> int:
    if cred_id is None:
        cred_id = registry.insert_credential(new(), actor=CLERK, now=NOW).cred_id
    registry.devices.enrol_device(registry.devices.create_enrolment(cred_id, NOW), "phone", NOW)
    return registry.devices.list_devices(cred_id)[-1].device_id


def test_a_key_gets_an_index_no_credential_has(tmp_path: Path) -> None:
    # Two handles with the same seed: the second must see the first's device key index too.
    path = tmp_path / "registry.sqlite3"
    a = Registry(path, rng=random.Random(3))
    b = Registry(path, rng=random.Random(3))
    try:
        key = a.device_keys.register(_device(a), ED, NOW)
        creds = [b.insert_credential(new(), actor=CLERK, now=NOW) for _ in range(3)]
        assert key.status_index not in {c.status_index for c in creds}
        assert key.alg is DeviceAlg.ED25519 and key.key_field == ED
    finally:
        a.close()
        b.close()


def test_registering_the_same_key_again_changes_nothing(registry: Registry) -> None:
    device_id = _device(registry)
    first = registry.device_keys.register(device_id, P256, NOW)
    assert registry.device_keys.register(device_id, P256, NOW) == first
    assert list(registry.status_entries()) == []
    assert [e.operation for e in registry.audit_entries()].count("device.key") == 1


def test_a_replaced_key_and_a_removed_phone_read_revoked(registry: Registry) -> None:
    cred = registry.insert_credential(new(), actor=CLERK, now=NOW)
    phone, other = _device(registry, cred.cred_id), _device(registry, cred.cred_id)
    old = registry.device_keys.register(phone, ED, NOW)
    replaced = registry.device_keys.register(phone, P256, NOW)
    kept = registry.device_keys.register(other, ED, NOW)
    assert registry.device_keys.current(phone) == replaced
    entries = dict(registry.status_entries())
    assert entries == {old.status_index: REVOKED}
    registry.devices.revoke_device(phone, NOW, actor=CLERK)
    entries = dict(registry.status_entries())
    assert entries == {old.status_index: REVOKED, replaced.status_index: REVOKED}
    assert kept.status_index not in entries
    assert list(registry.status_entries()) == sorted(registry.status_entries())


def test_keys_for_removed_or_unknown_devices_and_non_keys_are_refused(registry: Registry) -> None:
    device_id = _device(registry)
    with pytest.raises(DeviceKeyError):
        registry.device_keys.register(device_id, b"\x04" + bytes(32), NOW)
    with pytest.raises(NotFoundError):
        registry.device_keys.register(9999, ED, NOW)
    registry.devices.revoke_device(device_id, NOW, actor=CLERK)
    with pytest.raises(InvalidStateError):
        registry.device_keys.register(device_id, ED, NOW)


def test_a_registry_from_before_device_keys_gains_their_table(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with Registry(path) as reg:
        reg.insert_credential(new(), actor=CLERK, now=NOW)
    raw = sqlite3.connect(path)
    # back to the version before device keys: every table a later migration made goes
    for later in _MIGRATIONS[2:]:
        for table in re.findall(r"CREATE TABLE (\w+)", later):
            raw.execute(f"DROP TABLE {table}")
    raw.execute("PRAGMA user_version = 2")
    raw.commit()
    raw.close()
    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM device_keys").fetchone()[0] == 0
    conn.close()
