"""Keeping the key set and the status list current, and shared between instances.

The verifier answers from local copies: a ``KeySet`` and a decoded status list
in a ``MemoryStatusSource``. This module refreshes them in the background:

* **Key set**: from ``{ISSUER_URL}/.well-known/permit-keys.json`` (with
  If-None-Match) every ``VERIFIER_KEYSET_INTERVAL_S``, or from
  ``VERIFIER_KEYSET_FILE`` when its content changes. Each instance fetches its
  own; a status list signed by a key it does not know yet triggers a refetch.
* **Status list**: the signed document is fetched from
  ``{ISSUER_URL}/v1/status-list`` (with If-None-Match) once per
  ``VERIFIER_SYNC_INTERVAL_S`` *by one instance*: the shared record (document,
  ETag, ``fetched_at``, digest) lives in a ``StatusShare`` — Redis when
  configured, so every instance agrees on the same list and on its age; in
  process memory otherwise. Every instance checks the shared digest on each
  tick (one small read) and re-verifies and decodes the document only when it
  changed. The document's signature is checked on every adoption, so Redis is
  trusted with availability, not with integrity.

``fetched_at`` is when the issuer last confirmed the list (a 200 or a 304); the
age of the status data reported with each verdict is ``now - fetched_at``, and
verdicts are refused with STATUS_STALE beyond ``VERIFIER_MAX_STATUS_AGE_S``.
A list older (by ``issued_at``) than the one held is refused, so neither a
stale cache nor a replayed response can bring a revoked credential back.

Time comes from the injected clock; ``tick()`` is the whole refresh step, so
tests drive it directly instead of waiting for intervals.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

import anyio
import anyio.to_thread
import httpx

from keys.keyset import KeySet, KeySetError
from keys.edge.etag import etag_for
from keys.statuslist import StatusList, StatusListError, StatusListKeyUnknown

from .metrics import Metrics
from .officer_list import OfficerListSync
from .replay import StoreUnavailable
from .status import MemoryStatusSource

log = logging.getLogger("verifier.sync")

MAX_KEYSET_BYTES = 1 << 20
MAX_STATUS_BYTES = 16 << 20
RETRY_AFTER_FAILURE_S = 5.0
POLL_S = 1.0


def digest_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class CachedDocument:
    """A document exactly as fetched, served again to handhelds with our own ETag."""

    raw: bytes
    fetched_at: float

    @property
    def etag(self) -> str:
        return etag_for(self.raw)


@dataclass(frozen=True)
class SharedStatus:
    doc: bytes
    etag: str | None
    fetched_at: float
    digest: str


class StatusShare(Protocol):
    def version(self) -> tuple[str | None, float | None]: ...

    def read(self) -> SharedStatus | None: ...

    def publish(self, shared: SharedStatus) -> None: ...

    def touch(self, digest: str, fetched_at: float) -> None: ...

    def try_lock(self, token: str, ttl_s: float) -> bool: ...

    def unlock(self, token: str) -> None: ...


class MemoryStatusShare:
    """The shared record when there is only this process."""

    def __init__(self) -> None:
        self._shared: SharedStatus | None = None

    def version(self) -> tuple[str | None, float | None]:
        s = self._shared
        return (s.digest, s.fetched_at) if s is not None else (None, None)

    def read(self) -> SharedStatus | None:
        return self._shared

    def publish(self, shared: SharedStatus) -> None:
        self._shared = shared

    def touch(self, digest: str, fetched_at: float) -> None:
        s = self._shared
        if s is not None and s.digest == digest:
            self._shared = SharedStatus(s.doc, s.etag, fetched_at, s.digest)

    def try_lock(self, token: str, ttl_s: float) -> bool:
        return True

    def unlock(self, token: str) -> None:
        pass


class FetchError(Exception):
    """The issuer could not be reached or sent something unusable."""


class Syncer:
    """Refreshes the key set and the status list; ``tick()`` does one step."""

    def __init__(
        self,
        *,
        issuer_keyset_url: str,
        status_url: str,
        keyset_file: Path | None,
        sync_interval_s: float,
        keyset_interval_s: float,
        http_timeout_s: float,
        clock: Callable[[], float],
        http_client: httpx.AsyncClient,
        share: StatusShare,
        status_source: MemoryStatusSource,
        metrics: Metrics,
        officers: OfficerListSync | None = None,
    ) -> None:
        self.keyset_url = issuer_keyset_url
        self.status_url = status_url
        self.keyset_file = keyset_file
        self.sync_interval_s = sync_interval_s
        self.keyset_interval_s = keyset_interval_s
        self.http_timeout_s = http_timeout_s
        self.clock = clock
        self.http = http_client
        self.share = share
        self.status_source = status_source
        self.metrics = metrics
        self.officers = officers
        self.keyset: KeySet = KeySet([])
        self.keyset_document: CachedDocument | None = None
        self.status_document: CachedDocument | None = None
        self.status_list: StatusList | None = None
        self._keyset_etag: str | None = None
        self._keyset_due = float("-inf")
        self._status_retry_at = float("-inf")
        self._digest: str | None = None
        self._fetched_at: float | None = None
        self._tick_lock = anyio.Lock()
        self._failing: dict[str, str] = {}

    # -- public ---------------------------------------------------------------
    async def tick(self, *, force: bool = False) -> None:
        """One refresh step: key set if due, then status list if due, then adopt the shared list;
        then the list of disabled officers if due."""
        async with self._tick_lock:
            now = self.clock()
            if force or now >= self._keyset_due:
                await self._refresh_keyset(now)
            await self._refresh_status(now, force)
            if self.officers is not None:
                await self.officers.refresh(now, self.keyset, force=force)

    async def run(self, poll_s: float = POLL_S) -> None:
        """Tick forever (until cancelled); the clock decides what is due."""
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("refresh step failed")
            await anyio.sleep(poll_s)

    def _warn(self, what: str, message: str) -> None:
        """Log a failure once, not on every retry while it lasts."""
        if self._failing.get(what) != message:
            log.warning("%s", message)
        else:
            log.debug("%s", message)
        self._failing[what] = message

    def _recovered(self, what: str) -> None:
        if self._failing.pop(what, None) is not None:
            log.info("%s refresh works again", "key set" if what == "keyset" else "status list")

    # -- key set ----------------------------------------------------------------
    async def _refresh_keyset(self, now: float) -> None:
        try:
            raw = await (self._read_keyset_file() if self.keyset_file is not None else self._fetch_keyset())
            if raw is not None:
                keyset = KeySet.loads(raw)
                self.keyset = keyset
                self.keyset_document = CachedDocument(raw, now)
                log.info("key set loaded: %d keys", len(keyset))
            elif self.keyset_document is not None:
                self.keyset_document = CachedDocument(self.keyset_document.raw, now)
            self._recovered("keyset")
        except (FetchError, KeySetError) as exc:
            self.metrics.event("keyset_refresh_failed")
            self._warn("keyset", f"key set not refreshed: {exc}")
            self._keyset_due = now + min(self.keyset_interval_s, RETRY_AFTER_FAILURE_S)
            return
        self._keyset_due = now + (self.keyset_interval_s if len(self.keyset) else RETRY_AFTER_FAILURE_S)

    async def _read_keyset_file(self) -> bytes | None:
        path = self.keyset_file
        assert path is not None
        try:
            raw = await anyio.to_thread.run_sync(path.read_bytes)
        except OSError as exc:
            raise FetchError(f"cannot read {path}: {exc.strerror}") from None
        if len(raw) > MAX_KEYSET_BYTES:
            raise FetchError(f"{path} is larger than {MAX_KEYSET_BYTES} bytes")
        if self.keyset_document is not None and raw == self.keyset_document.raw:
            return None
        return raw

    async def _fetch_keyset(self) -> bytes | None:
        status, raw, etag = await self._get(self.keyset_url, self._keyset_etag, MAX_KEYSET_BYTES)
        if status == 304 and self.keyset_document is not None:
            return None
        self._keyset_etag = etag
        return raw

    # -- status list --------------------------------------------------------------
    async def _blocking(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(fn, *args)

    async def _refresh_status(self, now: float, force: bool) -> None:
        try:
            digest, fetched_at = await self._blocking(self.share.version)
            due = force or fetched_at is None or now - fetched_at >= self.sync_interval_s
            if due and (force or now >= self._status_retry_at):
                token = secrets.token_hex(8)
                if await self._blocking(self.share.try_lock, token, self.http_timeout_s + 2):
                    try:
                        await self._fetch_status(now, digest)
                    finally:
                        await self._blocking(self.share.unlock, token)
                    digest, fetched_at = await self._blocking(self.share.version)
            await self._adopt(digest, fetched_at, now)
        except StoreUnavailable:
            self.metrics.event("status_share_unavailable")

    async def _fetch_status(self, now: float, shared_digest: str | None) -> None:
        shared = await self._blocking(self.share.read) if shared_digest else None
        etag = shared.etag if shared is not None else None
        try:
            status, raw, new_etag = await self._get(self.status_url, etag, MAX_STATUS_BYTES)
            if status == 304 and shared is not None:
                await self._blocking(self.share.touch, shared.digest, now)
                self._status_retry_at = float("-inf")
                self._recovered("status")
                return
            status_list = await self._verify_status(raw, now)
        except (FetchError, StatusListError) as exc:
            self.metrics.event("status_refresh_failed")
            self._warn("status", f"status list not refreshed: {exc}")
            self._status_retry_at = now + min(self.sync_interval_s, RETRY_AFTER_FAILURE_S)
            return
        held = self.status_list
        if held is not None and status_list.issued_at < held.issued_at:
            self.metrics.event("status_rollback_refused")
            log.warning("status list issued at %d is older than the one held (%d): refused", status_list.issued_at, held.issued_at)
            self._status_retry_at = now + min(self.sync_interval_s, RETRY_AFTER_FAILURE_S)
            return
        self._status_retry_at = float("-inf")
        self._recovered("status")
        await self._blocking(self.share.publish, SharedStatus(raw, new_etag, now, digest_of(raw)))

    async def _verify_status(self, raw: bytes, now: float) -> StatusList:
        try:
            return StatusList.verify(raw, self.keyset, now)
        except StatusListKeyUnknown:
            pass
        await self._refresh_keyset(now)  # signed by a key we may not know yet
        return StatusList.verify(raw, self.keyset, now)

    async def _adopt(self, digest: str | None, fetched_at: float | None, now: float) -> None:
        if digest is None or fetched_at is None:
            return
        if digest != self._digest:
            shared = await self._blocking(self.share.read)
            if shared is None:
                return
            try:
                status_list = await self._verify_status(shared.doc, now)
            except StatusListError as exc:
                self.metrics.event("status_refresh_failed")
                log.warning("shared status list not adopted: %s", exc)
                return
            held = self.status_list
            if held is not None and status_list.issued_at < held.issued_at:
                self.metrics.event("status_rollback_refused")
                return
            self.status_list = status_list
            self.status_document = CachedDocument(shared.doc, shared.fetched_at)
            self._digest = shared.digest
            fetched_at = shared.fetched_at
        elif fetched_at == self._fetched_at:
            return
        assert self.status_list is not None
        self._fetched_at = fetched_at
        self.status_source.load(self.status_list, fetched_at)
        if self.status_document is not None:
            self.status_document = CachedDocument(self.status_document.raw, fetched_at)

    # -- HTTP -----------------------------------------------------------------------
    async def _get(self, url: str, etag: str | None, limit: int) -> tuple[int, bytes, str | None]:
        headers = {"Accept": "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        try:
            async with self.http.stream("GET", url, headers=headers, timeout=self.http_timeout_s) as response:
                if response.status_code == 304:
                    return 304, b"", etag
                if response.status_code != 200:
                    raise FetchError(f"GET {url}: HTTP {response.status_code}")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"GET {url}: response larger than {limit} bytes")
                    chunks.append(chunk)
                return 200, b"".join(chunks), response.headers.get("etag")
        except httpx.HTTPError as exc:
            self.metrics.event("issuer_unreachable")
            raise FetchError(f"GET {url}: {type(exc).__name__}: {exc}") from None
