"""``python -m verifier serve | add-key | keys | revoke-key | add-organisation | organisations``.

``serve`` checks the configuration (see verifier.config; errors are one line
and exit status 2) and runs the service (verifier.server: uvicorn with httptools
and uvloop, limits for slow and oversized clients, ``--workers`` processes). In
the embedded default it first creates the dev API keys and prints them once.

``add-key`` appends a key to the key file the server reads (``--file``, else
``verifier.config.Files``: ``VERIFIER_API_KEYS_FILE``, else the dev file under
``VERIFIER_VAR_DIR``) and prints the plain key: it is not stored anywhere and
cannot be shown again. A running verifier picks the new key up at its next
request. With ``--organisation`` the key belongs to that registered organisation
and takes its role; with ``--admin`` as well, it manages that organisation's
keys (``verifier.key_admin``). ``keys`` lists keys with who made and who
revoked them; ``revoke-key`` revokes one, refused by every worker at once. Acts
are recorded as ``operator:<login>`` (``--by`` to name someone else).

``add-organisation`` registers a verifier organisation (id, display names in
Chinese and English, role) in the organisations file (``--organisations-file``,
else ``VERIFIER_ORGANISATIONS_FILE``, else beside the key file);
``organisations`` lists them with their keys, including keys that are their own
organisation (verifier.organisations).
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


def _files(args: argparse.Namespace) -> tuple[Path, Path]:
    """(key file, organisations file) from the options, else from the environment as the server reads them."""
    from .config import organisations_beside

    files = Files.from_env()
    keys_file = Path(args.file) if args.file else files.api_keys_file
    if args.organisations_file:
        return keys_file, Path(args.organisations_file)
    return keys_file, organisations_beside(keys_file) if args.file else files.organisations_file


def _operator(args: argparse.Namespace) -> str:
    """Who acts on the command line, as the key file records it: ``operator:<login>``."""
    import getpass

    from .key_admin import check_operator_name

    return check_operator_name(args.by or getpass.getuser())


def _add_key(args: argparse.Namespace) -> int:
    import time

    from .auth import add_key
    from .key_admin import iso_now
    from .organisations import add_member_key

    path, orgs_path = _files(args)
    if args.role is None and args.organisation is None:
        print("verifier: add-key needs --role or --organisation", file=sys.stderr)
        return 2
    if args.admin and args.organisation is None:
        print("verifier: --admin needs --organisation (an admin key manages its organisation's keys)", file=sys.stderr)
        return 2
    at, by = iso_now(time.time()), _operator(args)
    if args.organisation is not None:
        org, plain = add_member_key(path, orgs_path, args.name, args.organisation, args.role,
                                    admin=args.admin, created_at=at, created_by=by)
        role, whose = org.role, f" of {org.id!r} ({org.name_zh} / {org.name_en})"
    else:
        role, whose = args.role, ""
        plain = add_key(path, args.name, args.role, created_at=at, created_by=by)
    print(f"added {role} key {args.name!r}{whose} to {path}; the key (shown only now):", file=sys.stderr)
    print(plain)
    return 0


def _add_organisation(args: argparse.Namespace) -> int:
    from .organisations import add_organisation

    _, path = _files(args)
    org = add_organisation(path, args.id, args.name_zh, args.name_en, args.role)
    print(f"registered {org.role} organisation {org.id!r} ({org.name_zh} / {org.name_en}) in {path}")
    return 0


def _organisations(args: argparse.Namespace) -> int:
    from .auth import load_keys
    from .organisations import load_organisations, own_organisation

    keys_path, path = _files(args)
    orgs = load_organisations(path)
    keys = load_keys(keys_path) if keys_path.exists() else []
    known = {o.id for o in orgs}
    members: dict[str, list[str]] = {o.id: [] for o in orgs}
    own = []
    for key in keys:
        if key.organisation in known:
            members[str(key.organisation)].append(key.name)
        else:
            own.append(own_organisation(key.name, key.role))
            members[key.name] = [key.name]
    for org in [*orgs, *own]:
        names = ", ".join(members.get(org.id, [])) or "-"
        print(f"{org.id}\t{org.role}\t{org.name_zh}\t{org.name_en}\tkeys: {names}")
    return 0


def _keys(args: argparse.Namespace) -> int:
    from .key_admin import keys_of

    path, _ = _files(args)
    keys = keys_of(path, args.organisation)
    for k in keys:
        state = f"revoked {k.revoked_at} by {k.revoked_by}" if k.revoked else "in use"
        made = f"created {k.created_at or '-'} by {k.created_by or '-'}"
        print(f"{k.name}\t{k.role}\t{k.organisation or '-'}\t{'admin' if k.admin else '-'}\t{made}\t{state}")
    return 0


def _revoke_key(args: argparse.Namespace) -> int:
    import time

    from .key_admin import revoke_key

    path, _ = _files(args)
    key = revoke_key(path, args.name, _operator(args), time.time())
    print(f"revoked key {key.name!r} ({key.revoked_at}, by {key.revoked_by}); every worker refuses it from now on")
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
    add.add_argument("--role", choices=["official", "business"],
                     help="the key's role (with --organisation: the organisation's, the default)")
    add.add_argument("--organisation", help="id of the registered organisation the key belongs to")
    add.add_argument("--admin", action="store_true",
                     help="the key manages its organisation's keys (/v1/keys, the page /business/keys)")
    keys = sub.add_parser("keys", help="list keys (revoked ones too) with who made and who revoked them")
    keys.add_argument("--organisation", help="only this organisation's keys")
    revoke = sub.add_parser("revoke-key", help="revoke a key: every worker refuses it at once; it stays listed")
    revoke.add_argument("--name", required=True)
    for command in (add, revoke):
        command.add_argument("--by", help="who acts, recorded as operator:<login> (default: your login)")
    org = sub.add_parser("add-organisation", help="register a verifier organisation with its display names")
    org.add_argument("--id", required=True, help="the id keys name it by (letters, digits, _.:@-)")
    org.add_argument("--name-zh", required=True, help="display name in Chinese, as holders will read it")
    org.add_argument("--name-en", required=True, help="display name in English")
    org.add_argument("--role", required=True, choices=["official", "business"])
    listing = sub.add_parser("organisations", help="list the organisations and their keys")
    for command in (add, org, listing, keys, revoke):
        command.add_argument("--file", help="key file (default: VERIFIER_API_KEYS_FILE or the dev file)")
        command.add_argument("--organisations-file",
                             help="organisations file (default: VERIFIER_ORGANISATIONS_FILE, else beside the key file)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    commands = {"add-key": _add_key, "add-organisation": _add_organisation,
                "organisations": _organisations, "keys": _keys, "revoke-key": _revoke_key}
    from .key_admin import KeyAdminError

    # One place turns a refused key-file command or a file that cannot be written into a message and status 2.
    try:
        return commands[args.command](args)
    except (ConfigError, KeyAdminError) as exc:
        print(f"verifier: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"verifier: cannot write {exc.filename or 'a file'}: {exc.strerror}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
