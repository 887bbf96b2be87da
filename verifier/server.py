"""How the verifier is served: uvicorn with httptools and uvloop, guarded, on every core.

The server stack was chosen by measurement (docs/benchmarks.md, "Server stack"):
uvicorn with the httptools parser and the uvloop event loop verifies more codes
per CPU-second than uvicorn's pure-Python h11 and than granian's ASGI mode, and
its protocol class can be extended to refuse slow and oversized clients
(verifier.http_guard), which neither of the others allows as fully.

Workers: ``--workers N`` runs N processes sharing one listening socket. The
default is one per core when the stores are shared through Redis, and one
process on the embedded memory default: a code claimed in one worker's memory
would be accepted again by another, so more than one worker without Redis is
refused. With several workers, metrics go through prometheus-client's
multiprocess mode (one scrape sums every worker; see verifier.metrics), the
audit file is appended by whole records under a lock (verifier.audit), and the
status list is fetched by one worker and adopted by the others through Redis.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette

from .config import Config, ConfigError
from .http_guard import ClientLimits, GuardedHttpToolsProtocol
from .metrics import MULTIPROCESS_DIR

log = logging.getLogger("verifier")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def default_workers(config: Config) -> int:
    """One per core with Redis, else one (the memory replay store cannot be shared)."""
    return (os.cpu_count() or 1) if config.redis_url else 1


def check_workers(config: Config, workers: int) -> None:
    if workers < 1:
        raise ConfigError("--workers must be at least 1")
    if workers > 1 and not config.redis_url:
        raise ConfigError(
            "--workers above 1 needs REDIS_URL: each worker's in-memory replay store "
            "would accept the same code once per worker"
        )


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8001
    workers: int = 1
    log_level: str = "info"
    access_log: bool = False
    limits: ClientLimits = field(default_factory=ClientLimits)
    backlog: int = 2048


def worker_app() -> Starlette:
    """The app of one worker process: configuration read again from the environment.

    The parent checked the same environment before starting workers, so a
    failure here is not expected; the dev files it may create exist already.
    """
    from .app import create_app, load_config

    return create_app(load_config(announce=lambda _line: None))


def logging_config(level: str) -> dict[str, Any]:
    """uvicorn's logging with the service's own loggers at ``level`` (one line per event)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["plain"] = {"format": LOG_FORMAT}
    config["handlers"]["plain"] = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    config["loggers"]["verifier"] = {"handlers": ["plain"], "level": level.upper(), "propagate": False}
    config["loggers"]["httpx"] = {"handlers": ["plain"], "level": "WARNING", "propagate": False}
    return config


def uvicorn_config(app: Any, options: ServeOptions) -> Any:
    """The uvicorn configuration: guarded httptools protocol, uvloop, the client limits."""
    import uvicorn

    config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        loop="uvloop",
        http=GuardedHttpToolsProtocol,
        workers=options.workers,
        factory=isinstance(app, str),
        log_level=options.log_level,
        log_config=logging_config(options.log_level),
        access_log=options.access_log,
        timeout_keep_alive=int(options.limits.keep_alive_s),
        backlog=options.backlog,
        server_header=False,
    )
    setattr(config, "client_limits", options.limits)  # read by GuardedHttpToolsProtocol, pickled to every worker
    return config


def serve(config: Config, options: ServeOptions) -> None:
    """Run the verifier until interrupted; with several workers, under uvicorn's process supervisor."""
    check_workers(config, options.workers)
    if options.workers == 1:
        from .app import create_app

        serve_app(create_app(config), options)
    else:
        serve_app("verifier.server:worker_app", options)


def serve_app(app: Any, options: ServeOptions) -> None:
    """Serve an ASGI app (one process) or an app factory's import string (``options.workers``
    processes, metrics shared through a fresh prometheus-client directory)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if options.workers == 1:
        uvicorn.Server(uvicorn_config(app, options)).run()
        return
    if not isinstance(app, str):
        raise ValueError("several workers need the app factory as an import string")
    shared = tempfile.mkdtemp(prefix="verifier-metrics-")
    os.environ[MULTIPROCESS_DIR] = shared  # inherited by the workers before they import prometheus-client
    try:
        settings = uvicorn_config(app, options)
        Multiprocess(settings, sockets=[settings.bind_socket()]).run()
    finally:
        os.environ.pop(MULTIPROCESS_DIR, None)
        shutil.rmtree(shared, ignore_errors=True)
