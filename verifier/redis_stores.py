"""The shared stores on Redis (single server or Redis Cluster): replay, status, sessions, audit.

Failure policy: every Redis error becomes ``StoreUnavailable`` (reason
SERVICE_UNAVAILABLE) at once. The client is built with a short socket timeout
and *no* retries: redis-py's default retries refused connections with
exponential backoff, which turned the first request after a crash into a
multi-second wait; a verifier must answer "unavailable" quickly and let the
handheld retry. Connections are re-established on the next request, so the
service recovers by itself when Redis returns. On a cluster, one retry is kept
at the cluster level (no backoff) so a MOVED slot after a failover is followed.

Key layout (``P`` is ``VERIFIER_REDIS_PREFIX``, default ``verifier``)::

    P:{rp:XX}:<hex replay key>   replay claims, SET NX PX (XX = crc32(key) & 0xff)
                                 (made by one Lua script with their epoch marker)
    P:replay-epoch               single server: hash e = replay epoch, n = claim counter
    P:{rp:XX}:replay-epoch       cluster: the same, one per tag, on the node of its claims
    P:{status}:list              hash: doc, etag, fetched_at, digest (shared status list)
    P:{status}:fetch-lock        which instance is fetching from the issuer now
    P:session:<sha256 of id>     handheld sessions, JSON, PX = session lifetime
    P:audit                      audit stream (XADD MAXLEN ~)

Replay claims and the replay epoch: ``verifier.redis_replay``.
"""


from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable, Sequence, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisClusterException, RedisError
from redis.retry import Retry

from .config import Config, redact_url
from .outage_log import OutageLog
from .replay import StoreUnavailable
from .sessions import Session, session_key
from .sync import SharedStatus

log = logging.getLogger("verifier.redis")

REDIS_ERRORS: tuple[type[BaseException], ...] = (RedisError, RedisClusterException, OSError)
T = TypeVar("T")

_RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""

class RedisHandle:
    """A lazily built client; every call maps Redis failures to StoreUnavailable.

    The cluster client contacts the cluster when it is built, so it is built on
    first use (and again after a failure) rather than at start-up: a verifier
    started while Redis is down serves 503s and recovers, it does not crash.
    """

    def __init__(self, config: Config, *, on_error: Callable[[], None] | None = None) -> None:
        if not config.redis_url:
            raise ValueError("no REDIS_URL configured")
        self.config = config
        self.url = config.redis_url
        self.cluster = config.redis_cluster
        self.prefix = config.redis_prefix
        self._client: Any = None
        self._lock = threading.Lock()
        self._on_error = on_error
        self.outage = OutageLog(log, "redis")

    def __repr__(self) -> str:
        return f"RedisHandle({redact_url(self.url)!r}, cluster={self.cluster})"

    def _build(self) -> Any:
        timeout = self.config.redis_timeout_s
        common: dict[str, Any] = {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        }
        if self.cluster:
            from redis.cluster import RedisCluster

            return RedisCluster.from_url(self.url, retry=Retry(NoBackoff(), 1), **common)
        return redis.Redis.from_url(self.url, retry=Retry(NoBackoff(), 0), **common)

    def client(self) -> Any:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    try:
                        self._client = self._build()
                    except REDIS_ERRORS as exc:
                        self._failed(exc)
                client = self._client
        return client

    def _failed(self, exc: BaseException) -> None:
        if self._on_error is not None:
            self._on_error()
        self.outage.failed(f"{type(exc).__name__}: {exc}")
        raise StoreUnavailable("redis") from None

    def run(self, operation: Callable[[Any], T]) -> T:
        """``operation(client)``; StoreUnavailable if Redis cannot answer."""
        client = self.client()
        try:
            result = operation(client)
        except REDIS_ERRORS as exc:
            self._failed(exc)
            raise  # unreachable: _failed raises
        self.outage.ok()
        return result

    def ping(self) -> bool:
        try:
            return bool(self.run(lambda c: c.ping()))
        except StoreUnavailable:
            return False

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception:
                pass

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))


def px_ms(ttl: float) -> int:
    """A lifetime in seconds as the whole milliseconds of ``PX`` (at least one: 0 is refused)."""
    return max(1, int(ttl * 1000))


class RedisStatusShare:
    """The verified status list document shared by all instances through one Redis hash."""

    def __init__(self, handle: RedisHandle) -> None:
        self.handle = handle
        self.list_key = handle.key("{status}", "list")
        self.lock_key = handle.key("{status}", "fetch-lock")

    def version(self) -> tuple[str | None, float | None]:
        digest, fetched_at = self.handle.run(lambda c: c.hmget(self.list_key, ["digest", "fetched_at"]))
        return (
            digest.decode("ascii", "replace") if digest else None,
            float(fetched_at) if fetched_at else None,
        )

    def read(self) -> SharedStatus | None:
        fields = self.handle.run(lambda c: c.hgetall(self.list_key))
        try:
            return SharedStatus(
                doc=fields[b"doc"],
                etag=fields.get(b"etag", b"").decode("ascii", "replace") or None,
                fetched_at=float(fields[b"fetched_at"]),
                digest=fields[b"digest"].decode("ascii", "replace"),
            )
        except (KeyError, ValueError):
            return None

    def publish(self, shared: SharedStatus) -> None:
        mapping = {
            "doc": shared.doc,
            "etag": shared.etag or "",
            "fetched_at": repr(shared.fetched_at),
            "digest": shared.digest,
        }
        self.handle.run(lambda c: c.hset(self.list_key, mapping=mapping))

    def touch(self, digest: str, fetched_at: float) -> None:
        """Record that the issuer confirmed the shared list (304) at ``fetched_at``."""
        current, _ = self.version()
        if current == digest:
            self.handle.run(lambda c: c.hset(self.list_key, "fetched_at", repr(fetched_at)))

    def try_lock(self, token: str, ttl_s: float) -> bool:
        return bool(self.handle.run(lambda c: c.set(self.lock_key, token, nx=True, px=px_ms(ttl_s))))

    def unlock(self, token: str) -> None:
        self.handle.run(lambda c: c.eval(_RELEASE_LOCK, 1, self.lock_key, token))


class RedisSessionStore:
    def __init__(self, handle: RedisHandle) -> None:
        self.handle = handle

    def _key(self, session_id: str) -> str:
        return self.handle.key("session", session_key(session_id))

    def put(self, session_id: str, session: Session, now: float) -> None:
        value = json.dumps({"name": session.name, "role": session.role, "expires_at": session.expires_at,
                            "display_name": session.display_name})
        ttl = max(1.0, session.expires_at - now)
        self.handle.run(lambda c: c.set(self._key(session_id), value, px=px_ms(ttl)))

    def get(self, session_id: str, now: float) -> Session | None:
        raw = self.handle.run(lambda c: c.get(self._key(session_id)))
        if raw is None:
            return None
        try:
            doc = json.loads(raw)
            session = Session(str(doc["name"]), str(doc["role"]), float(doc["expires_at"]),
                              str(doc.get("display_name", "")))
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires_at > now else None

    def delete(self, session_id: str) -> None:
        self.handle.run(lambda c: c.delete(self._key(session_id)))


class RedisAuditStream:
    """Audit records appended to a capped stream, many in one pipeline."""

    def __init__(self, handle: RedisHandle, maxlen: int) -> None:
        self.handle = handle
        self.key = handle.key("audit")
        self.maxlen = maxlen

    @staticmethod
    def _fields(record: dict[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in record.items():
            if value is None:
                continue
            out[name] = value if isinstance(value, str) else json.dumps(value)
        return out

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        if not records:
            return

        def run(client: Any) -> None:
            pipe = client.pipeline(transaction=False)
            for record in records:
                pipe.xadd(self.key, self._fields(record), maxlen=self.maxlen, approximate=True)
            pipe.execute()

        self.handle.run(run)
