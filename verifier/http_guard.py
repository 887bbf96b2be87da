"""Slow and oversized clients refused by the HTTP server, before the app sees them.

uvicorn's httptools protocol parses fast but trusts its peers: a connection that
never finishes its headers is held forever, and a head of any size or number of
lines is accepted. ``GuardedHttpToolsProtocol`` adds, per connection:

* a deadline for the request head (``header_timeout_s``, from the connection's
  first byte or a request's first byte) and one for the body
  (``body_timeout_s``, from the end of the head): a client sending one byte a
  second is answered 408 and closed; idle keep-alive connections are closed by
  uvicorn's own ``timeout_keep_alive``;
* limits on the head: at most ``max_head_bytes`` in the target and header
  lines (and received before the head is complete, so a line that never ends is
  not buffered past the limit) and at most ``max_headers`` header lines, else
  431 and close;
* at most ``max_connections_per_client`` open connections from one address per
  worker process, else 429 and close at once.

The event loop never waits on a slow client (every read is a callback), so
these limits bound what slow clients hold (sockets, buffers), not how long
others wait. Refusals use the service's error bodies (keys.edge.errors).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .http.errors import raw_error


@dataclass(frozen=True)
class ClientLimits:
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    keep_alive_s: float = 5.0
    max_head_bytes: int = 16 * 1024
    max_headers: int = 64
    max_connections_per_client: int = 256

    def __post_init__(self) -> None:
        if min(self.header_timeout_s, self.body_timeout_s, self.keep_alive_s) <= 0:
            raise ValueError("timeouts must be positive")
        if min(self.max_head_bytes, self.max_headers, self.max_connections_per_client) < 1:
            raise ValueError("limits must be at least 1")


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing a head over the limits."""


#: open connections per client address in this process
_open: Counter[str] = Counter()


def open_connections(address: str) -> int:
    """Connections from ``address`` this process holds now."""
    return _open.get(address, 0)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits of ``config.client_limits``."""

    def __init__(self, config: Any, server_state: Any, app_state: Any, _loop: Any = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits: ClientLimits = getattr(config, "client_limits", None) or ClientLimits()
        self._deadline: asyncio.TimerHandle | None = None
        self._in_head = True
        self._head_bytes = 0  # bytes received while the head is incomplete
        self._head_size = 0  # bytes of the target and header lines parsed so far
        self._header_lines = 0
        self._address: str | None = None
        self._refused = False

    # -- connection ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else None
        if address is not None:
            if _open[address] >= self.limits.max_connections_per_client:
                self._refuse("TOO_MANY_CONNECTIONS")
                return
            _open[address] += 1
            self._address = address
        self._arm(self.limits.header_timeout_s)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._address is not None:
            _open[self._address] -= 1
            if _open[self._address] <= 0:
                del _open[self._address]
            self._address = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            if isinstance(exc.__context__, _HeadTooLarge) or self._refused:
                self._refuse("HEADERS_TOO_LARGE")
                return
            self._bad_request()
            return
        except httptools.HttpParserError:
            self._bad_request()
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self._in_head and not self._refused:
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.max_head_bytes:
                self._refuse("HEADERS_TOO_LARGE")

    # -- parser callbacks -------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0
        self._head_size = 0
        self._header_lines = 0
        self._arm(self.limits.header_timeout_s)

    def on_url(self, url: bytes) -> None:
        self._head_size += len(url)
        if self._head_size > self.limits.max_head_bytes:
            self._refused = True
            raise _HeadTooLarge()
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_lines += 1
        self._head_size += len(name) + len(value) + 4
        if self._header_lines > self.limits.max_headers or self._head_size > self.limits.max_head_bytes:
            self._refused = True
            raise _HeadTooLarge()
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._arm(self.limits.body_timeout_s)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    # -- deadlines and refusals ----------------------------------------------------------
    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and cycle.response_started:
            self.transport.close()  # the app answers already; nothing more can be said
            return
        self._refuse("REQUEST_TIMEOUT")

    def _bad_request(self) -> None:
        self.logger.debug("invalid HTTP request received")
        self.send_400_response("Invalid HTTP request received.")

    def _refuse(self, code: str) -> None:
        self._refused = True
        self._disarm()
        if self.cycle is not None:
            self.cycle.disconnected = True  # a request already handed to the app gets nothing more
        if not self.transport.is_closing():
            self.transport.write(raw_error(code))
            self.transport.close()
