"""The signed status list the service publishes, rebuilt only when something changed.

Every verifier polls the list, so the signed document is cached and served with an
ETag. It is rebuilt when the registry has changed (``Registry.change_marker``, a count
of committed write transactions kept in the database, so it also sees writes of
other processes and machines: a CLI import, another issuer instance on the same
PostgreSQL) or when the cached document is older than its ``ttl``, so
``issued_at`` stays fresh. A list with other content than the one before it is
issued at a later second (one second ahead of the clock when the registry
changed twice within a second), so "the newest list" is always decidable. The marker is read on every request; only the
document built for it is kept in the process.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from issuer.registry import Registry
from keys.edge.etag import etag_for
from keys.keypair import SigningKey
from keys.statuslist import MAX_SIZE, MIN_SIZE, StatusList


@dataclass(frozen=True)
class Published:
    body: bytes
    etag: str
    issued_at: int
    ttl: int
    marker: int


def list_size(registry: Registry) -> int:
    """The registry's index space, as a status list size (a multiple of 4 within bounds)."""
    space = registry.index_space()
    size = max(MIN_SIZE, space)
    size += -size % 4
    if size > MAX_SIZE:
        raise ValueError("the index space exceeds the status list format")
    return size


def build_document(registry: Registry, signer: SigningKey, *, issued_at: int, ttl: int) -> bytes:
    """The signed status list document for the registry as it is now (JSON bytes)."""
    status_list = StatusList.build(registry.status_entries(), size=list_size(registry), issued_at=issued_at, ttl=ttl)
    return json.dumps(status_list.sign(signer), separators=(",", ":"), sort_keys=True).encode("ascii")


class StatusPublisher:
    """Caches the published document; ``current`` runs on the registry thread."""

    def __init__(self, signer: SigningKey, ttl_s: int) -> None:
        self.signer = signer
        self.ttl_s = ttl_s
        self._cached: Published | None = None
        self._lock = threading.Lock()

    def current(self, registry: Registry, now: float) -> Published:
        """The document for ``now``: the cached one unless the registry changed or it aged out."""
        marker = registry.change_marker()
        with self._lock:
            cached = self._cached
            if cached is not None and cached.marker == marker and now - cached.issued_at < cached.ttl:
                return cached
            issued_at = int(now)
            if cached is not None and cached.marker != marker and issued_at <= cached.issued_at:
                # A change within the second of the last list: a later issue time, so a
                # verifier that keeps the newest list can tell the two apart.
                issued_at = cached.issued_at + 1
            body = build_document(registry, self.signer, issued_at=issued_at, ttl=self.ttl_s)
            etag = etag_for(body)
            self._cached = Published(body, etag, issued_at, self.ttl_s, marker)
            return self._cached
