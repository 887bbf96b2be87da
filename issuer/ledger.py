"""The registry's database as the stores built on it see it: one connection, one transaction, one audit log.

``issuer.devices`` and ``issuer.slip_register`` keep their own tables in the
registry's database and must write them in the registry's transactions,
together with the audit entry. They depend on this protocol rather than on
``issuer.registry``, so the registry can hold them (``Registry.devices``)
without the two modules importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol

from issuer.db import Database
from issuer.model import Credential

__all__ = ["Ledger"]


class Ledger(Protocol):
    @property
    def connection(self) -> Database: ...

    def transaction(self) -> AbstractContextManager[Database]: ...

    def record_audit(
        self, *, actor: str, operation: str, cred_id: str | None, details: Mapping[str, Any], now: datetime
    ) -> None: ...

    def get(self, cred_id: str, *, today: date) -> Credential | None: ...

    def allocate_indices(self, count: int) -> list[int]: ...


