"""Everything one running issuer service holds, handed to each group of routes.

Built once by ``issuer.app.create_app``; the clock is the one injected there, so
tests move time by changing what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from issuer.sms import DevOutbox, SmsSender
from keys.timekeeping import BEIJING

from .auth import AdminAuth
from .config import Config
from .devkeys import KeyMaterial
from .minting import Minter
from .registry_worker import RegistryWorker
from .statuslist_publisher import StatusPublisher


@dataclass
class ServiceState:
    config: Config
    keys: KeyMaterial
    minter: Minter
    worker: RegistryWorker
    publisher: StatusPublisher
    admin: AdminAuth
    clock: Callable[[], float]
    keyset_cache: tuple[float, bytes, str] | None = field(default=None, repr=False)
    #: Text messages to applicants (verification codes, notices); a gateway in production.
    sms: SmsSender = field(default_factory=DevOutbox)

    def now(self) -> float:
        return float(self.clock())

    def now_dt(self, now: float | None = None) -> datetime:
        """An aware datetime for the registry (which keeps Beijing dates)."""
        return datetime.fromtimestamp(self.now() if now is None else now, BEIJING)
