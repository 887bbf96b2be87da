"""``python -m keys generate | rotate | export-public | export-rotation-secret``.

The key directory is ``--dir`` or ``ISSUER_KEYS_DIR`` (default ``var/issuer/keys``);
the passphrase comes from the environment (see keys.keystore). Errors are one
line with a stable code and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import time
from pathlib import Path

from .keypair import KeyFileError
from .keystore import KeyStore, passphrase_from_env

DEFAULT_DIR = "var/issuer/keys"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keys", description="Issuer signing keys")
    parser.add_argument("--dir", default=os.environ.get("ISSUER_KEYS_DIR", DEFAULT_DIR), help="key directory")
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
        store = KeyStore(Path(args.dir), passphrase_from_env())
        if args.command == "generate":
            record = store.generate(now)
            print(f"generated key {record.kid} in {args.dir}")
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
            secret = base64.b64encode(store.rotation_secret()).decode()
            fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secret + "\n")
            print(f"rotation secret written to {args.out}")
    except KeyFileError as exc:
        print(f"error {exc.code}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error IO: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
