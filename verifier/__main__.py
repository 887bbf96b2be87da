"""``python -m verifier serve | add-key``.

``serve`` checks the configuration (see verifier.config; errors are one line
and exit status 2) and runs the service with uvicorn. In the embedded default
it first creates the dev API keys and prints them once.

``add-key`` appends a key to the key file (``--file``, else
``VERIFIER_API_KEYS_FILE``, else the dev file under ``VERIFIER_VAR_DIR``) and
prints the plain key: it is not stored anywhere and cannot be shown again. A
running verifier picks the new key up within a second.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .config import ConfigError


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app, load_config

    logging.basicConfig(level=getattr(logging, args.log_level.upper()), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per issuer poll is noise
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"verifier: configuration error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"verifier: cannot prepare files: {exc}", file=sys.stderr)
        return 2
    app = create_app(config)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=args.access_log)
    return 0


def _add_key(args: argparse.Namespace) -> int:
    from .auth import add_key

    if args.file:
        path = Path(args.file)
    elif os.environ.get("VERIFIER_API_KEYS_FILE", "").strip():
        path = Path(os.environ["VERIFIER_API_KEYS_FILE"].strip())
    else:
        path = Path(os.environ.get("VERIFIER_VAR_DIR", "").strip() or "var") / "verifier" / "api-keys.json"
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
    parser = argparse.ArgumentParser(prog="python -m verifier", description="Residence permit verifier service")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument("--access-log", action="store_true", help="log every request")
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
