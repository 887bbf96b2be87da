"""``python -m keys generate | rotate | export-public | export-rotation-secret``.

The key directory and the passphrase are the issuer service's
(``keys.storeconfig``: ``ISSUER_VAR_DIR``, ``ISSUER_KEYS_DIR``,
``PERMIT_KEY_PASSPHRASE[_FILE]``, the development passphrase when none is set),
so this command always works on the keys the service signs with; ``--dir``
points it at another directory. Errors are one line with a stable code and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Mapping

from .edge.env import ConfigError
from .edge.files import write_private
from .keypair import KeyFileError
from .keystore import KeyStore
from .storeconfig import KeyStoreConfig


def main(argv: list[str] | None = None, *, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keys", description="Issuer signing keys")
    parser.add_argument("--dir", help="key directory (default: the issuer's, ISSUER_KEYS_DIR or ISSUER_VAR_DIR/issuer/keys)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("generate", help="create the first signing key and the rotation secret")
    sub.add_parser("rotate", help="create a new signing key; the previous one keeps verifying")
    export = sub.add_parser("export-public", help="write the public key set (JSON)")
    export.add_argument("--out", help="file to write (default: standard output)")
    export_secret = sub.add_parser("export-rotation-secret", help="write the TOTP rotation secret for a trusted verifier")
    export_secret.add_argument("--out", required=True, help="file to write (mode 0600)")
    args = parser.parse_args(argv)
    now = int(time.time())
    try:
        config = KeyStoreConfig.from_env(env)
        if args.dir:
            config = replace(config, keys_dir=Path(args.dir))
        store = KeyStore(config.keys_dir, config.open_passphrase())
        if args.command == "generate":
            record = store.generate(now)
            print(f"generated key {record.kid} in {config.keys_dir}")
        elif args.command == "rotate":
            record = store.rotate(now)
            print(f"new signing key {record.kid}; previous keys retired, still verifying until their not_after")
        elif args.command == "export-public":
            text = store.public_keyset(now).dumps()
            if args.out:
                Path(args.out).write_text(text + "\n", encoding="utf-8")
            else:
                print(text)
        else:
            write_private(Path(args.out), base64.b64encode(store.rotation_secret()) + b"\n")
            print(f"rotation secret written to {args.out}")
    except KeyFileError as exc:
        print(f"error {exc.code}: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"error CONFIG: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error IO: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
