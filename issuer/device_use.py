"""When each holder device was last used, so a clerk can tell a live phone from a forgotten one.

Every code a phone fetches would be a write; the time is kept to the nearest few
minutes instead (``RESOLUTION``), so a phone refreshing every 15 seconds writes
about once in five minutes. The table is separate from ``devices`` and written
without an audit entry: it is bookkeeping, not an act of anyone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from issuer.model import timestamp

if TYPE_CHECKING:
    from issuer.registry import Registry

__all__ = ["RESOLUTION", "last_uses", "note_device_use"]

RESOLUTION = timedelta(minutes=5)


def note_device_use(registry: Registry, device_id: int, now: datetime) -> None:
    """Record a use unless one was recorded less than RESOLUTION ago."""
    at, stale = timestamp(now), timestamp(now - RESOLUTION)
    with registry.transaction() as conn:
        conn.execute(
            "INSERT INTO device_use (device_id, last_used_at) VALUES (?, ?) "
            "ON CONFLICT (device_id) DO UPDATE SET last_used_at = excluded.last_used_at "
            "WHERE device_use.last_used_at < ?", (device_id, at, stale))


def last_uses(registry: Registry, cred_id: str) -> dict[int, datetime]:
    """device_id -> last use, for the devices of one credential that were ever used."""
    rows = registry.connection.execute(
        "SELECT u.device_id, u.last_used_at FROM device_use u JOIN devices d ON d.device_id = u.device_id "
        "WHERE d.cred_id = ?", (cred_id,)).fetchall()
    return {int(r[0]): datetime.fromisoformat(r[1]) for r in rows}
