"""The officers the issuer has disabled, fetched with the status list: their handheld sessions end.

A handheld session opened with an officer's account is vouched for once, at
sign-in (verifier.officer_signin). The issuer signs a list of the accounts it has
disabled (keys.officer_list); the syncer fetches it every sync interval, and a
session of a listed officer is refused and deleted at its next request. While the
issuer cannot be reached the last list held stays in force (a verifier never
forgets a disablement it has seen); before any list arrives, sessions are
judged by the assertion alone, as before.
"""

from __future__ import annotations

import json
import logging

import httpx

from keys.keyset import KeySet
from keys.officer_list import DisabledOfficers, OfficerListInvalid, verify_officer_list

__all__ = ["OfficerListSync"]

log = logging.getLogger("verifier.officers")
MAX_BYTES = 2 << 20


class OfficerListSync:
    """The newest verified list of disabled officers, refreshed by ``refresh``."""

    def __init__(self, url: str, http: httpx.AsyncClient, *, interval_s: float, timeout_s: float) -> None:
        self.url = url
        self.http = http
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.current: DisabledOfficers | None = None
        self._due = float("-inf")

    def disabled(self, actor: str) -> bool:
        """Whether ``actor`` (``officer:<account>``) is on the list held."""
        current = self.current
        return current is not None and current.disabled(actor)

    async def refresh(self, now: float, keyset: KeySet, *, force: bool = False) -> None:
        """Fetch and adopt the issuer's list when due; any failure keeps the list held (logged)."""
        if not force and now < self._due:
            return
        self._due = now + self.interval_s
        try:
            response = await self.http.get(self.url, timeout=self.timeout_s)
            if response.status_code != 200 or len(response.content) > MAX_BYTES:
                raise OfficerListInvalid(f"HTTP {response.status_code}, {len(response.content)} bytes")
            found = verify_officer_list(json.loads(response.content).get("document"), keyset, now)
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning("officer list not refreshed from %s: %s", self.url, exc)
            return
        if self.current is None or found.issued_at >= self.current.issued_at:
            self.current = found
