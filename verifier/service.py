"""The verifier's parts wired together: stores, key set, sessions, audit, limits.

``Service`` is built once per app from a ``Config`` and holds the only state of
the HTTP layer. The store family is chosen by configuration: with
``REDIS_URL`` every instance shares replay claims, the status list, sessions and
the audit stream through Redis (or a Redis Cluster); without it everything
lives in this process and the audit goes to a JSON-lines file.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any, AsyncIterator, Callable, Sequence

import anyio
import anyio.to_thread
import httpx

from keys.reasons import SERVICE_REASONS

from . import core
from .audit import (
    AuditBuffer,
    AuditSink,
    FallbackAuditSink,
    FileAuditSink,
    ScanRecordError,
    VerdictEvent,
    cred_hash,
    event_record,
    scan_record,
)
from .check_records import CheckEvent, CheckOutbox, CheckPusher, MemoryCheckOutbox, Sealer, check_record
from .auth import Caller, KeyRegistry
from .config import Config
from .disclosure import disclosed_fields, iso_utc, shown_fields
from .guesses import GuessLimits, MemoryTotpGuard, TotpGuard
from .metrics import Metrics
from .organisations import Organisation, OrganisationBook
from .ratelimit import Limiter, RateLimiter
from .replay import MemoryReplayStore, ReplayStore
from .replay_state import open_memory_store, save_memory_store
from .sessions import MemorySessionStore, SessionStore
from .status import MemoryStatusSource
from .officer_list import OfficerListSync
from .sync import MemoryStatusShare, StatusShare, Syncer
from .verdict import Verdict

log = logging.getLogger("verifier")

class LockedReplayStore:
    """A memory replay store shared by the event loop and worker threads."""

    def __init__(self, store: MemoryReplayStore) -> None:
        self.store = store
        self._lock = threading.Lock()

    def epoch_of(self, key: bytes) -> float:
        return self.store.epoch

    def claim(self, key: bytes, ttl: float, now: float) -> bool:
        with self._lock:
            return self.store.claim(key, ttl, now)

    def claim_many(self, items: Sequence[tuple[bytes, float]], now: float) -> list[bool]:
        with self._lock:
            return self.store.claim_many(items, now)

class Service:
    def __init__(
        self,
        config: Config,
        *,
        clock: Callable[[], float] = time.time,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.metrics = Metrics()
        self.owns_http = http_client is None
        self.http = http_client if http_client is not None else httpx.AsyncClient(
            timeout=config.http_timeout_s, follow_redirects=False
        )
        self.redis: Any = None
        limits = GuessLimits(config.totp_bad_per_step, config.totp_bad_per_hour, config.totp_lock_s)
        self.guard: TotpGuard
        self.replay: ReplayStore
        self._memory_replay: LockedReplayStore | None = None
        self.sessions: SessionStore
        sink: AuditSink
        share: StatusShare
        file_audit = FileAuditSink(config.audit_file)
        if config.redis_url:
            from .redis_replay import RedisReplayStore
            from .redis_stores import RedisAuditStream, RedisHandle, RedisSessionStore, RedisStatusShare

            from .redis_limits import RedisTotpGuard, SharedRateLimiter

            self.redis = RedisHandle(config, on_error=lambda: self.metrics.event("redis_error"))
            self.guard = RedisTotpGuard(self.redis, limits)
            self.replay = RedisReplayStore(self.redis, enforce_epoch=config.replay_epoch)
            share = RedisStatusShare(self.redis)
            self.sessions = RedisSessionStore(self.redis)
            sink = FallbackAuditSink(
                RedisAuditStream(self.redis, config.audit_stream_maxlen),
                file_audit,
                on_fallback=lambda n: self.metrics.event("audit_fallback", n),
            )
        else:
            memory = open_memory_store(config.replay_state_file, clock()) if config.replay_epoch else MemoryReplayStore()
            self.replay = self._memory_replay = LockedReplayStore(memory)
            share = MemoryStatusShare()
            self.sessions = MemorySessionStore()
            self.guard = MemoryTotpGuard(limits)
            sink = file_audit
        self._file_audit = file_audit
        audit_key = config.audit_key.reveal()
        self.audit: AuditBuffer[VerdictEvent] = AuditBuffer(
            sink, render=lambda event: event_record(audit_key, event), on_event=self.metrics.event
        )
        self.checks: AuditBuffer[CheckEvent] | None = None
        self.check_pusher: CheckPusher | None = None
        if config.checks_public_key is not None and config.checks_token is not None:
            self._start_check_records(config.checks_public_key, config.checks_token.reveal())
        self.status = MemoryStatusSource(updated_at=None)
        self.keys = KeyRegistry(config.api_keys_file)
        self.organisations = OrganisationBook(config.organisations_path, clock=clock)
        local_limiter = RateLimiter(config.rate_per_s, config.rate_burst, clock=clock)
        self.limiter: Limiter = local_limiter
        if self.redis is not None:
            self.limiter = SharedRateLimiter(self.redis, local_limiter)
        self.options = core.Options(
            skew_steps=config.skew_steps,
            rotation_secret=config.rotation_secret.reveal() if config.rotation_secret is not None else None,
            max_status_age_s=config.max_status_age_s,
        )
        self.sync = Syncer(
            issuer_keyset_url=config.keyset_url,
            status_url=config.status_url,
            keyset_file=config.keyset_file,
            sync_interval_s=config.sync_interval_s,
            keyset_interval_s=config.keyset_interval_s,
            http_timeout_s=config.http_timeout_s,
            clock=clock,
            http_client=self.http,
            share=share,
            status_source=self.status,
            metrics=self.metrics,
            officers=OfficerListSync(config.officer_list_url, self.http, interval_s=config.sync_interval_s,
                                     timeout_s=config.http_timeout_s),
        )
        self.metrics.gauge("verifier_status_age_seconds", "Age of the status list data.", self.status_age)
        self.metrics.gauge("verifier_keyset_keys", "Keys in the loaded key set.", lambda: len(self.sync.keyset))
        self.metrics.gauge(
            "verifier_liveness_secret_loaded", "1 when the PASS rotation secret is held.",
            lambda: 1.0 if config.rotation_secret is not None else 0.0,
        )
        self.metrics.gauge(
            "verifier_audit_buffered_records", "Audit records waiting to be written.", lambda: float(len(self.audit))
        )

    def _start_check_records(self, public_key: bytes, token: str) -> None:
        """Records of each check for its holder (verifier.check_records), sealed and pushed to the issuer."""
        outbox: CheckOutbox
        if self.redis is not None:
            from .check_records import RedisCheckOutbox

            outbox = RedisCheckOutbox(self.redis)
        else:
            outbox = MemoryCheckOutbox(on_dropped=lambda n: self.metrics.event("check_records_dropped", n))
        sealer = Sealer(public_key, self.clock)
        self.checks = AuditBuffer(
            outbox, render=lambda e: check_record(e, self.organisation_of(e.caller, e.role), sealer),
            on_event=self.metrics.event, interval_s=1.0,
        )

        async def blocking(fn: Callable[..., Any], *args: Any) -> Any:
            return await anyio.to_thread.run_sync(fn, *args) if self.redis is not None else fn(*args)

        self.check_pusher = CheckPusher(outbox, self.config.checks_url, token, self.http, self.clock,
                                        run_blocking=blocking, on_event=self.metrics.event)

    async def push_check_records(self) -> int:
        """Hand the waiting check records to the issuer now (the background loop does it every sync interval)."""
        if self.checks is None or self.check_pusher is None:
            return 0
        await anyio.to_thread.run_sync(self.checks.flush)
        return await self.check_pusher.push()

    async def _push_loop(self) -> None:
        while True:
            await anyio.sleep(self.config.sync_interval_s)
            try:
                await self.push_check_records()
            except Exception:
                log.exception("pushing check records failed; retrying at the next interval")

    @property
    def uses_redis(self) -> bool:
        return self.redis is not None

    def status_age(self, now: float | None = None) -> float | None:
        updated = self.status.updated_at()
        if updated is None:
            return None
        return (self.clock() if now is None else now) - updated

    def organisation_of(self, name: str, role: str) -> Organisation:
        """The organisation a caller (key or officer session, by name) belongs to, as holders are told it."""
        key = self.keys.by_name(name)
        return self.organisations.of(name, role, key.organisation if key is not None else None)

    # -- verification -------------------------------------------------------------
    def verify(self, text: str, caller: Caller) -> tuple[Verdict, float | None]:
        """One verdict, audited. Never raises for any text."""
        now = self.clock()
        verdict = core.verify(text, now, self.sync.keyset, self.status, self.replay, self.options, self.guard)
        if self.uses_redis and verdict.valid:
            verdict = self.too_slow([verdict], now)[0]
        self._record([verdict], caller, now)
        return verdict, self.status_age(now)

    def verify_many(self, texts: Sequence[str], caller: Caller) -> tuple[list[Verdict], float | None]:
        """Verdicts for a batch: one status lookup, one replay round trip, one audit round trip."""
        now = self.clock()
        verdicts = core.verify_batch(
            texts, now, self.sync.keyset, self.status, self.replay, self.options, self.guard
        )
        if self.uses_redis:
            verdicts = self.too_slow(verdicts, now)
        self._record(verdicts, caller, now)
        return verdicts, self.status_age(now)

    def too_slow(self, verdicts: list[Verdict], now: float) -> list[Verdict]:
        """Refuse what was accepted if the replay claims arrived too long after ``now`` (core.REPLAY_SLACK_S).

        Redis expires a claim on its own clock; a claim made more than the slack
        after the window was judged could follow an earlier claim that had
        already expired, so such a VALID (of a code with a replay claim) becomes
        SERVICE_UNAVAILABLE: the holder shows the next code.
        """
        if self.clock() - now <= core.REPLAY_SLACK_S - 1:
            return verdicts
        self.metrics.event("replay_claim_too_slow")
        return [
            Verdict(False, "SERVICE_UNAVAILABLE", v.mode, v.claims, now) if v.valid and v.mode != "PAPER" else v
            for v in verdicts
        ]

    def _record(self, verdicts: Sequence[Verdict], caller: Caller, now: float) -> None:
        """Count and audit verdicts; the records are built and written in the background."""
        at = iso_utc(now)
        name, role = caller.name, caller.role
        events = []
        checks = []
        for v in verdicts:
            self.metrics.verdict(v.reason, v.mode)
            ref = v.claims.ref if v.claims is not None else None
            events.append(VerdictEvent(at, name, role, v.reason, v.mode, ref))
            if ref is not None and self.checks is not None:
                checks.append(CheckEvent(at, name, role, v.reason, v.mode, cred_hash(ref),
                                         disclosed_fields(v, role), False))
        self.audit.write(events)
        if checks and self.checks is not None:
            self.checks.write(checks)

    def record_scans(self, raw_records: Sequence[Any], caller: Caller) -> tuple[int, list[dict[str, Any]]]:
        """Offline scan reports from a handheld: (accepted count, rejected with reasons)."""
        now = self.clock()
        accepted: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        checks: list[CheckEvent] = []
        for i, raw in enumerate(raw_records):
            try:
                record = scan_record(self.config.audit_key.reveal(), raw, caller=caller.name, role=caller.role, now=now)
            except ScanRecordError as exc:
                rejected.append({"index": i, "error": str(exc)})
                continue
            accepted.append(record)
            if record["cred_ref"] is not None:  # the handheld verified the signature and names the credential
                fields = shown_fields(caller.role, valid=record["reason"] == "VALID", signed=True)
                checks.append(CheckEvent(record["at"], caller.name, caller.role, record["reason"], record["mode"],
                                         bytes.fromhex(raw["cred_ref_hash"]), fields, True))
        self.audit.write_through(accepted)  # the handheld deletes what is accepted: written before answering
        if checks and self.checks is not None:
            self.checks.write(checks)
        self.metrics.event("offline_scans_recorded", len(accepted))
        return len(accepted), rejected

    # -- health -------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """What an operator or load balancer needs to know; ``ok`` means verdicts can be given."""
        problems: list[str] = []
        redis_state = None
        if self.redis is not None:
            redis_state = "ok" if self.redis.ping() else "unavailable"
            if redis_state != "ok":
                problems.append("redis unavailable")
        if len(self.sync.keyset) == 0:
            problems.append("no key set")
        age = self.status_age()
        if age is None:
            problems.append("no status list")
        elif age > self.config.max_status_age_s:
            problems.append("status list too old")
        return {
            "status": "ok" if not problems else "degraded",
            "problems": problems,
            "store": self.config.store_kind,
            "redis": redis_state,
            "keyset_keys": len(self.sync.keyset),
            "status_age_s": None if age is None else round(age, 3),
            "max_status_age_s": self.config.max_status_age_s,
            "liveness_secret": self.config.rotation_secret is not None,
        }

    @contextlib.asynccontextmanager
    async def running(self, *, background_sync: bool = True) -> AsyncIterator[None]:
        """The service's life: a first refresh, the background refresh loop, then an orderly close."""
        try:
            await self.sync.tick()
        except Exception:
            log.exception("initial refresh failed; retrying in the background")
        async with anyio.create_task_group() as tasks:
            if background_sync:
                tasks.start_soon(self.sync.run)
                if self.check_pusher is not None:
                    tasks.start_soon(self._push_loop)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
        await self.aclose()

    async def aclose(self) -> None:
        if self.checks is not None:
            try:
                await self.push_check_records()  # a memory outbox ends with the process: hand it over first
            except Exception:
                log.exception("pushing check records at shutdown failed")
            await anyio.to_thread.run_sync(self.checks.close)
        if self.owns_http:
            await self.http.aclose()
        await anyio.to_thread.run_sync(self.audit.close)  # writes what is waiting, Redis still open
        if self.redis is not None:
            self.redis.close()
        if self._memory_replay is not None and self.config.replay_epoch:
            with self._memory_replay._lock:
                save_memory_store(self.config.replay_state_file, self._memory_replay.store, self.clock())
        self._file_audit.close()
