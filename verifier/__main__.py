"""``python -m verifier serve | add-key``.

``serve`` checks the configuration (see verifier.config; errors are one line
and exit status 2) and runs the service (verifier.server: uvicorn with httptools
and uvloop, limits for slow and oversized clients, ``--workers`` processes). In
the embedded default it first creates the dev API keys and prints them once.

``add-key`` appends a key to the key file the server reads (``--file``, else
``verifier.config.Files``: ``VERIFIER_API_KEYS_FILE``, else the dev file under
``VERIFIER_VAR_DIR``) and prints the plain key: it is not stored anywhere and
cannot be shown again. A running verifier picks the new key up within a second.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from keys.edge.env import ConfigError

from .config import Files


def _serve(args: argparse.Namespace) -> int:
    from .app import load_config
    from .http_guard import ClientLimits
    from .server import LOG_FORMAT, ServeOptions, check_workers, default_workers, serve

    logging.basicConfig(level=getattr(logging, args.log_level.upper()), format=LOG_FORMAT)
    try:
        config = load_config()
        workers = args.workers if args.workers is not None else default_workers(config)
        check_workers(config, workers)
        limits = ClientLimits(
            header_timeout_s=args.header_timeout, body_timeout_s=args.body_timeout, keep_alive_s=args.keep_alive,
            max_head_bytes=args.max_header_bytes, max_headers=args.max_headers,
            max_connections_per_client=args.max_connections_per_client,
        )
    except ConfigError as exc:
        print(f"verifier: configuration error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"verifier: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"verifier: cannot prepare files: {exc}", file=sys.stderr)
        return 2
    options = ServeOptions(host=args.host, port=args.port, workers=workers, log_level=args.log_level,
                           access_log=args.access_log, limits=limits)
    serve(config, options)
    return 0


def _add_key(args: argparse.Namespace) -> int:
    from .auth import add_key

    path = Path(args.file) if args.file else Files.from_env().api_keys_file
    try:
        plain = add_key(path, args.name, args.role)
    except ConfigError as exc:
        print(f"verifier: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"verifier: cannot write {path}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"added {args.role} key {args.name!r} to {path}; the key (shown only now):", file=sys.stderr)
    print(plain)
    return 0


def main(argv: list[str] | None = None) -> int:
    from .http_guard import ClientLimits

    parser = argparse.ArgumentParser(prog="python -m verifier", description="Residence permit verifier service")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument("--workers", type=int, help="processes (default: one per core with REDIS_URL, else 1)")
    limits = ClientLimits()
    serve.add_argument("--header-timeout", type=float, default=limits.header_timeout_s,
                       help="seconds to receive a request head (default %(default)s)")
    serve.add_argument("--body-timeout", type=float, default=limits.body_timeout_s,
                       help="seconds to receive a request body (default %(default)s)")
    serve.add_argument("--keep-alive", type=float, default=limits.keep_alive_s,
                       help="seconds an idle connection is kept (default %(default)s)")
    serve.add_argument("--max-header-bytes", type=int, default=limits.max_head_bytes,
                       help="largest request head (default %(default)s)")
    serve.add_argument("--max-headers", type=int, default=limits.max_headers,
                       help="most header lines in a request (default %(default)s)")
    serve.add_argument("--max-connections-per-client", type=int, default=limits.max_connections_per_client,
                       help="open connections from one address, per worker (default %(default)s)")
    add = sub.add_parser("add-key", help="create an API key and append its hash to the key file")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["official", "business"])
    add.add_argument("--file", help="key file (default: VERIFIER_API_KEYS_FILE or the dev file)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _add_key(args)


if __name__ == "__main__":
    sys.exit(main())
