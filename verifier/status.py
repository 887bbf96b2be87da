"""Status sources: is the credential behind a code active, suspended or revoked?

A source answers by status-list index (see keys.statuslist) and says how old its
data is, so the pipeline can refuse to answer from data that is too old.
"""

from __future__ import annotations

from typing import Protocol, Sequence

from keys.statuslist import ACTIVE, StatusList


class StatusSource(Protocol):
    def status(self, index: int) -> int:
        """0 active, 1 suspended, 2 revoked."""

    def status_many(self, indices: Sequence[int]) -> list[int]:
        """``status`` for many indices at once."""

    def updated_at(self) -> float | None:
        """Unix time the data was last known current; None if it never was."""


class MemoryStatusSource:
    """Statuses held in this process: set directly, or from a verified status list."""

    def __init__(self, statuses: dict[int, int] | None = None, *, updated_at: float | None = 0.0) -> None:
        self._statuses = dict(statuses or {})
        self._list: StatusList | None = None
        self._updated_at = updated_at

    def set(self, index: int, status: int, now: float) -> None:
        self._statuses[index] = status
        self._updated_at = now

    def load(self, status_list: StatusList, now: float) -> None:
        """Replace everything with a verified status list fetched at ``now``."""
        self._list = status_list
        self._statuses = {}
        self._updated_at = now

    def status(self, index: int) -> int:
        found = self._statuses.get(index)
        if found is not None:
            return found
        return self._list.status(index) if self._list is not None else ACTIVE

    def status_many(self, indices: Sequence[int]) -> list[int]:
        return [self.status(i) for i in indices]

    def updated_at(self) -> float | None:
        return self._updated_at
