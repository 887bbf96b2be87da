"""Who checked my permit: a record of each check for its holder, handed to the issuer sealed.

For every verdict on a code whose signature verified (online, batch, and
offline scans once a handheld uploads them) the verifier makes a record for
the holder: when, the caller's organisation (display names) and role, the mode,
the verdict, and the NAMES of the claims the caller was shown
(``verifier.disclosure.disclosed_fields``), never their values. The issuer
keeps them and shows them on the holder's page.

**What links a record to the holder, and what the verifier operator can learn.**
Not the status-list index: it is a stable number the issuer maps to a person.
Not a hash or an HMAC of it under a key the verifier holds either: with 2^24
indices, whoever holds the verifier's store and keys tries them all and has
the index back (the audit log's ``cred_ref`` is such an HMAC, and for that
reason never leaves the verifier). Instead the SHA-256 of the index is sealed
to the issuer's public key (``keys.sealed_ref``): only the issuer can open it,
and it answers "which of my permits" with its own registry. A record waiting in
the verifier's outbox therefore names an organisation, a time and a verdict —
which the operator's audit log holds anyway — and an opaque blob.

A sealed value is kept for ``SEAL_REUSE_S`` per index so a busy permit does not
cost an X25519 operation per check (about 0.1 ms, in the background writer):
records of one permit within that hour carry the same blob, so the operator can
tell that they concern one permit, which its audit log already tells it; after
the hour, nothing connects them.

**Retention**: ``RETENTION_S`` (180 days) on both sides. The verifier keeps a
record only until the issuer has acknowledged it, and drops any older than
that even if the issuer was never reached; the issuer deletes records older
than that (``issuer.check_records``).

**Delivery**: the verifier pushes (``CheckPusher``: ``POST {ISSUER_URL}/v1/check-records``
with its own bearer token, so the issuer attributes each batch to a named
verifier). Each record has a random id; the issuer keeps the first copy of an
id, so a batch sent twice (an answer lost on the way back) is counted once.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections import OrderedDict
from typing import Any, Callable, NamedTuple, Protocol, Sequence

import httpx

from keys.sealed_ref import SealingKey

from .disclosure import iso_utc
from .organisations import Organisation
from .outage_log import OutageLog

__all__ = [
    "RETENTION_S",
    "CheckEvent",
    "CheckOutbox",
    "CheckPusher",
    "MemoryCheckOutbox",
    "Sealer",
    "check_record",
]

log = logging.getLogger("verifier.checks")

RETENTION_S = 180 * 86400
SEAL_REUSE_S = 3600.0
PUSH_BATCH = 500
LOCK_S = 60.0
#: records waiting for the issuer; beyond this the oldest are dropped (and counted) first
OUTBOX_MAX = 1_000_000


class CheckEvent(NamedTuple):
    """A check to record, as the request path leaves it (the record is built in the background)."""

    at: str  # iso_utc
    caller: str
    role: str
    reason: str
    mode: str | None
    hashed_ref: bytes
    fields: tuple[str, ...]
    offline: bool


class Sealer:
    """Seals hashed references to the issuer's key, reusing one per index for ``SEAL_REUSE_S``."""

    def __init__(self, public_key: bytes, clock: Callable[[], float], *, max_cached: int = 100_000) -> None:
        self.key = SealingKey(public_key)
        self._clock = clock
        self._max = max_cached
        self._cache: OrderedDict[bytes, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def seal(self, hashed_ref: bytes) -> str:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(hashed_ref)
            if hit is not None and now - hit[0] < SEAL_REUSE_S:
                return hit[1]
        sealed = self.key.seal(hashed_ref)
        with self._lock:
            self._cache[hashed_ref] = (now, sealed)
            self._cache.move_to_end(hashed_ref)
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return sealed


def check_record(event: CheckEvent, organisation: Organisation, sealer: Sealer) -> dict[str, Any]:
    """The record the issuer receives (and the holder reads, but for ``holder``)."""
    return {
        "id": secrets.token_hex(16),
        "checked_at": event.at,
        "organisation": {"id": organisation.id, "zh": organisation.name_zh, "en": organisation.name_en},
        "role": event.role,
        "mode": event.mode,
        "reason": event.reason,
        "fields": list(event.fields),
        "offline": event.offline,
        "holder": sealer.seal(event.hashed_ref),
    }


class CheckOutbox(Protocol):
    """Records waiting for the issuer, oldest first. ``write`` makes it an audit sink (``AuditBuffer``)."""

    def write(self, records: Sequence[dict[str, Any]]) -> None: ...

    def peek(self, count: int) -> list[dict[str, Any]]: ...

    def drop(self, count: int) -> None: ...

    def try_lock(self, ttl_s: float) -> bool:
        """True for the one instance that may push now (others would send the same records)."""

    def unlock(self) -> None: ...

    def __len__(self) -> int: ...


class MemoryCheckOutbox:
    """The outbox of a single process (the embedded default)."""

    def __init__(self, max_records: int = OUTBOX_MAX, on_dropped: Callable[[int], None] | None = None) -> None:
        self._records: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._max = max_records
        self._on_dropped = on_dropped

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        with self._lock:
            self._records.extend(records)
            excess = len(self._records) - self._max
            if excess > 0:
                del self._records[:excess]
        if excess > 0 and self._on_dropped is not None:
            self._on_dropped(excess)

    def peek(self, count: int) -> list[dict[str, Any]]:
        with self._lock:
            return self._records[:count]

    def drop(self, count: int) -> None:
        with self._lock:
            del self._records[:count]

    def try_lock(self, ttl_s: float) -> bool:
        return True  # one process, one pusher

    def unlock(self) -> None:
        return None

    def __len__(self) -> int:
        return len(self._records)


class RedisCheckOutbox:
    """The outbox shared by every instance through Redis: a list, pushed to by each, sent by whichever pushes.

    Two instances pushing at once may send the same records twice; the issuer
    keeps one copy of each id.
    """

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.key = handle.key("checks")
        self._lock_key = handle.key("checks-push-lock")
        self._token = secrets.token_hex(8)

    def try_lock(self, ttl_s: float) -> bool:
        return bool(self.handle.run(
            lambda client: client.set(self._lock_key, self._token, nx=True, px=int(ttl_s * 1000))))

    def unlock(self) -> None:
        def run(client: Any) -> None:
            if client.get(self._lock_key) in (self._token, self._token.encode()):
                client.delete(self._lock_key)

        self.handle.run(run)

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        if records:
            texts = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
            self.handle.run(lambda client: client.rpush(self.key, *texts))

    def peek(self, count: int) -> list[dict[str, Any]]:
        texts = self.handle.run(lambda client: client.lrange(self.key, 0, count - 1))
        return [json.loads(t) for t in texts]

    def drop(self, count: int) -> None:
        self.handle.run(lambda client: client.ltrim(self.key, count, -1))

    def __len__(self) -> int:
        return int(self.handle.run(lambda client: client.llen(self.key)))


def expired_prefix(records: Sequence[dict[str, Any]], now: float) -> int:
    """How many of the oldest records are past the retention (records are in time order, roughly)."""
    cutoff = iso_utc(now - RETENTION_S)
    count = 0
    for record in records:
        if str(record.get("checked_at", "")) >= cutoff:
            break
        count += 1
    return count


class CheckPusher:
    """Sends the outbox to the issuer in batches; what the issuer acknowledged leaves the outbox."""

    def __init__(self, outbox: CheckOutbox, url: str, token: str, http: httpx.AsyncClient,
                 clock: Callable[[], float], *, run_blocking: Callable[..., Any] | None = None,
                 on_event: Callable[[str, int], None] | None = None) -> None:
        self.outbox = outbox
        self.url = url
        self._token = token
        self.http = http
        self.clock = clock
        self._blocking = run_blocking
        self._on_event = on_event
        self.outage = OutageLog(log, "check records push")

    def __repr__(self) -> str:
        return f"CheckPusher(url={self.url!r})"

    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await self._blocking(fn, *args) if self._blocking is not None else fn(*args)

    def _event(self, name: str, count: int) -> None:
        if self._on_event is not None and count:
            self._on_event(name, count)

    async def push(self) -> int:
        """Send what is waiting; the number of records the issuer took (expired ones are dropped unsent)."""
        if not await self._call(self.outbox.try_lock, LOCK_S):
            return 0
        try:
            return await self._push()
        finally:
            await self._call(self.outbox.unlock)

    async def _push(self) -> int:
        sent = 0
        while True:
            batch = await self._call(self.outbox.peek, PUSH_BATCH)
            expired = expired_prefix(batch, self.clock())
            if expired:
                await self._call(self.outbox.drop, expired)
                self._event("check_records_expired", expired)
                continue
            if not batch:
                return sent
            try:
                reply = await self.http.post(self.url, json={"records": batch},
                                             headers={"Authorization": f"Bearer {self._token}"})
            except httpx.HTTPError as exc:
                self.outage.failed(type(exc).__name__)
                return sent
            if reply.status_code != 200:
                self.outage.failed(f"HTTP {reply.status_code}")
                return sent
            self.outage.ok()
            await self._call(self.outbox.drop, len(batch))
            sent += len(batch)
            self._event("check_records_pushed", len(batch))
            if len(batch) < PUSH_BATCH:
                return sent
