"""Holder phones: one-time enrolment codes and long-lived device tokens.

A phone is enrolled by typing a short code shown at the counter (or in a letter);
the code works once, for a short time, and buys a random bearer token that the app
keeps. Only SHA-256 hashes of codes and tokens are stored, so the registry file is
not a key to anyone's phone. Each step is written to the audit log in the same
transaction as the change itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from issuer import tokens
from issuer.db import Database
from issuer.errors import (
    EnrolmentInvalidError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
)
from issuer.ledger import Ledger
from issuer.model import Device, Status, timestamp
from keys.timekeeping import beijing_date

__all__ = ["DeviceStore"]

_MAX_LABEL = 64
_DEVICE_COLUMNS = "device_id, cred_id, label, enrolled_at, revoked_at"


class DeviceStore:
    """Device and enrolment tables of one registry (``Registry.devices``)."""

    def __init__(self, registry: Ledger) -> None:
        self._reg = registry

    @property
    def _conn(self) -> Database:
        return self._reg.connection

    def create_enrolment(
        self,
        cred_id: str,
        now: datetime,
        *,
        ttl: timedelta = tokens.ENROLMENT_TTL,
        actor: str = "system",
    ) -> str:
        """A one-time code a holder types into the phone app; only its hash is kept.

        Issuing a new code cancels any unused earlier one for the same credential,
        so at most one code per credential is ever live.
        """
        self._require_enrollable(cred_id, now)
        code = tokens.new_enrolment_code()
        expires = now + ttl
        with self._reg.transaction() as conn:
            conn.execute("DELETE FROM enrolments WHERE cred_id = ? AND used_at IS NULL",
                         (cred_id,))
            conn.execute(
                "INSERT INTO enrolments (code_hash, cred_id, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (tokens.hash_secret(tokens.normalise_code(code)), cred_id, timestamp(now),
                 timestamp(expires)),
            )
            self._reg.record_audit(
                actor=actor, operation="enrolment.create", cred_id=cred_id, now=now,
                details={"expires_at": timestamp(expires)},
            )
        return code

    def enrol_device(self, code: str, label: str, now: datetime, *, actor: str = "holder") -> str:
        """Consume an enrolment code and return a new device token (shown once)."""
        label = label.strip()
        if not label or len(label) > _MAX_LABEL:
            raise InvalidInputError("设备名称须为1至64个字符",
                                    "device label must be 1 to 64 characters")
        code_hash = tokens.hash_secret(tokens.normalise_code(code))
        at = timestamp(now)
        with self._reg.transaction() as conn:
            row = conn.execute(
                "SELECT cred_id FROM enrolments WHERE code_hash = ? AND used_at IS NULL "
                "AND expires_at > ?",
                (code_hash, at),
            ).fetchone()
            if row is None:
                raise EnrolmentInvalidError("激活码无效、已使用或已过期",
                                            "enrolment code is unknown, used or expired")
            cred_id = str(row[0])
            self._require_enrollable(cred_id, now)
            conn.execute("UPDATE enrolments SET used_at = ? WHERE code_hash = ?", (at, code_hash))
            token = tokens.new_device_token()
            cur = conn.execute(
                "INSERT INTO devices (cred_id, label, token_hash, enrolled_at) "
                "VALUES (?, ?, ?, ?) RETURNING device_id",
                (cred_id, label, tokens.hash_secret(token), at),
            )
            self._reg.record_audit(
                actor=actor, operation="device.enrol", cred_id=cred_id, now=now,
                details={"device_id": int(cur.fetchone()[0]), "label": label},
            )
        return token

    def device_for_token(self, token: str, *, include_removed: bool = False) -> Device | None:
        """The active device holding `token` (or a removed one too), found by the token's hash."""
        active = "" if include_removed else " AND revoked_at IS NULL"
        row = self._conn.execute(
            f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE token_hash = ?{active}",
            (tokens.hash_secret(token),),
        ).fetchone()
        return _device(row) if row else None

    def get_device(self, device_id: int) -> Device | None:
        row = self._conn.execute(
            f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE device_id = ?",
            (device_id,),
        ).fetchone()
        return _device(row) if row else None

    def list_devices(self, cred_id: str) -> list[Device]:
        """All devices ever enrolled for a credential, revoked ones included."""
        rows = self._conn.execute(
            f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE cred_id = ? ORDER BY device_id",
            (cred_id,),
        ).fetchall()
        return [_device(r) for r in rows]

    def revoke_device(self, device_id: int, now: datetime, *, actor: str = "system") -> Device:
        """Stop a phone from minting codes (lost phone, holder request)."""
        with self._reg.transaction() as conn:
            device = self.get_device(device_id)
            if device is None:
                raise NotFoundError(f"设备 {device_id} 不存在", f"device {device_id} not found")
            if not device.active:
                raise InvalidStateError("设备已注销", "device is already revoked")
            conn.execute("UPDATE devices SET revoked_at = ? WHERE device_id = ?",
                         (timestamp(now), device_id))
            self._reg.record_audit(
                actor=actor, operation="device.revoke", cred_id=device.cred_id, now=now,
                details={"device_id": device_id},
            )
        revoked = self.get_device(device_id)
        assert revoked is not None
        return revoked

    def revoke_all_devices(self, cred_id: str, now: datetime, *, actor: str) -> int:
        """Revoke every active device of a credential; returns how many were active."""
        with self._reg.transaction() as conn:
            cur = conn.execute(
                "UPDATE devices SET revoked_at = ? WHERE cred_id = ? AND revoked_at IS NULL",
                (timestamp(now), cred_id),
            )
            if cur.rowcount:
                self._reg.record_audit(
                    actor=actor, operation="device.revoke_all", cred_id=cred_id, now=now,
                    details={"count": cur.rowcount},
                )
        return cur.rowcount

    def _require_enrollable(self, cred_id: str, now: datetime) -> None:
        """Devices only make sense for a credential that can still be shown."""
        cred = self._reg.get(cred_id, today=beijing_date(now))
        if cred is None:
            raise NotFoundError(f"凭证 {cred_id} 不存在", f"credential {cred_id} not found")
        if cred.status in (Status.REVOKED, Status.EXPIRED):
            raise InvalidStateError(
                "凭证已注销或已过期，不能绑定设备",
                f"credential is {cred.status.value}; cannot enrol a device",
            )


def _device(row: tuple[Any, ...]) -> Device:
    return Device(
        device_id=int(row[0]),
        cred_id=row[1],
        label=row[2],
        enrolled_at=datetime.fromisoformat(row[3]),
        revoked_at=datetime.fromisoformat(row[4]) if row[4] else None,
    )
