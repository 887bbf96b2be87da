"""The registry behind the HTTP service: one thread owns the SQLite connection.

A SQLite connection belongs to the thread that opened it, and a write may wait
up to the busy timeout while a CLI import holds the lock. So every registry call
runs on one dedicated thread, in order: the event loop never blocks on the
database, and no two requests ever touch the connection at once.
"""

from __future__ import annotations

import asyncio
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from issuer.lifecycle import Lifecycle
from issuer.at_rest import AtRest
from issuer.registry import Registry

T = TypeVar("T")


class RegistryWorker:
    """Runs functions of (Registry, Lifecycle) on the registry's own thread."""

    def __init__(self, path: str, *, rng: random.Random | None = None, at_rest: AtRest | None = None) -> None:
        self.path = path
        self._rng = rng
        self._at_rest = at_rest
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry")
        self._registry: Registry | None = None
        self._lifecycle: Lifecycle | None = None
        self._lock = threading.Lock()

    def _open(self) -> tuple[Registry, Lifecycle]:
        if self._registry is None:
            self._registry = Registry(self.path, rng=self._rng, at_rest=self._at_rest)
            self._lifecycle = Lifecycle(self._registry)
        assert self._lifecycle is not None
        return self._registry, self._lifecycle

    def _run(self, fn: Callable[[Registry, Lifecycle], T]) -> T:
        registry, lifecycle = self._open()
        return fn(registry, lifecycle)

    async def call(self, fn: Callable[[Registry, Lifecycle], T]) -> T:
        """Run ``fn(registry, lifecycle)`` on the registry thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, fn)

    def call_sync(self, fn: Callable[[Registry, Lifecycle], T]) -> T:
        """The same from ordinary (non-async) code, e.g. at startup or in tests."""
        return self._executor.submit(self._run, fn).result()

    def close(self) -> None:
        def shut() -> None:
            if self._registry is not None:
                self._registry.close()
                self._registry = None
                self._lifecycle = None

        with self._lock:
            try:
                self._executor.submit(shut).result()
            except RuntimeError:
                return  # already shut down
            self._executor.shutdown(wait=True)
