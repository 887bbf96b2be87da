"""Holder device keys: the public keys that device-bound passes vouch for.

An enrolled phone whose browser can create a non-extractable key pair registers
the public half here (through its device token). Each registered key gets a
status-list index of its own, drawn from the same never-reused space as
credential versions; every device pass minted for the key carries that index.
Removing the phone, reporting it lost, revoking the credential (which removes its
phones) or registering a replacement key all make the index read revoked in the
next published status list, so the passes the phone still holds stop verifying
everywhere, offline handhelds included, at their next status sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterator, Protocol

from issuer.devices import DeviceStore
from issuer.errors import InvalidStateError, NotFoundError
from issuer.ledger import Ledger
from issuer.model import timestamp
from keys.device_key import DeviceAlg, alg_of
from keys.statuslist import REVOKED

__all__ = ["DEVICE_KEY_STATUS_SQL", "DeviceKey", "DeviceKeyStore"]

#: (index, REVOKED) of every key of a removed phone or replaced by another; part of the status list.
DEVICE_KEY_STATUS_SQL = (
    f"SELECT k.status_index, {int(REVOKED)} FROM device_keys k JOIN devices d ON d.device_id = k.device_id "
    "WHERE d.revoked_at IS NOT NULL OR k.superseded_at IS NOT NULL"
)


@dataclass(frozen=True)
class DeviceKey:
    """A registered device public key (the 33-byte field of keys.device_key) and its index."""

    device_id: int
    key_field: bytes
    status_index: int
    registered_at: datetime

    @property
    def alg(self) -> DeviceAlg:
        return alg_of(self.key_field)


class LedgerWithDevices(Ledger, Protocol):
    """The registry as this store sees it: its database and its devices (issuer.ledger)."""

    @property
    def devices(self) -> DeviceStore: ...


class DeviceKeyStore:
    """The device_keys table of one registry (reached as ``registry.device_keys``)."""

    def __init__(self, registry: LedgerWithDevices) -> None:
        self._reg = registry

    def register(self, device_id: int, key_field: bytes, now: datetime, *, actor: str = "holder") -> DeviceKey:
        """Make ``key_field`` the device's current key; the same key again changes nothing.

        A different key replaces the current one: its index is revoked, so passes
        minted for the old key (a browser whose storage was cleared) stop verifying.
        """
        alg_of(key_field)  # refuses anything that is not a device key field
        with self._reg.transaction() as conn:
            device = self._reg.devices.get_device(device_id)
            if device is None:
                raise NotFoundError(f"设备 {device_id} 不存在", f"device {device_id} not found")
            if not device.active:
                raise InvalidStateError("设备已注销", "device is revoked")
            current = self.current(device_id)
            if current is not None and current.key_field == key_field:
                return current
            at = timestamp(now)
            if current is not None:
                conn.execute("UPDATE device_keys SET superseded_at = ? WHERE status_index = ?",
                             (at, current.status_index))
            [index] = self._reg.allocate_indices(1)
            conn.execute(
                "INSERT INTO device_keys (status_index, device_id, key_field, registered_at) VALUES (?, ?, ?, ?)",
                (index, device_id, key_field.hex(), at),
            )
            self._reg.record_audit(
                actor=actor, operation="device.key", cred_id=device.cred_id, now=now,
                details={"device_id": device_id, "alg": alg_of(key_field).value,
                         "replaced": current is not None},
            )
        registered = self.current(device_id)
        assert registered is not None
        return registered

    def current(self, device_id: int) -> DeviceKey | None:
        """The device's key that passes are minted for, if it registered one."""
        row = self._reg.connection.execute(
            "SELECT device_id, key_field, status_index, registered_at FROM device_keys "
            "WHERE device_id = ? AND superseded_at IS NULL",
            (device_id,),
        ).fetchone()
        if row is None:
            return None
        return DeviceKey(int(row[0]), bytes.fromhex(row[1]), int(row[2]), datetime.fromisoformat(row[3]))
