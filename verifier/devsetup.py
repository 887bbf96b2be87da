"""First-run files for the embedded default (no ``VERIFIER_API_KEYS_FILE``).

So that ``scripts/serve`` works on a fresh checkout, the verifier creates under
``VERIFIER_VAR_DIR`` (default ``var``):

* ``verifier/api-keys.json``: one official and one business key (hashes only);
* ``dev/verifier-api-keys.txt`` (mode 0600): the two plain keys, as shell
  assignments ``OFFICIAL_KEY=...`` / ``BUSINESS_KEY=...`` for the README walkthrough;
* ``verifier/audit-key`` (mode 0600): the audit HMAC key, base64.

A configured deployment never reaches this module: its files are made by an
operator (``python -m verifier add-key``) and nothing is generated silently.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import Mapping

from .auth import BUSINESS, OFFICIAL, add_key

DEV_OFFICIAL = "dev-official"
DEV_BUSINESS = "dev-business"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def plain_keys_path(var_dir: Path) -> Path:
    return var_dir / "dev" / "verifier-api-keys.txt"


def prepare(env: Mapping[str, str] | None = None) -> list[str]:
    """Create missing dev files; returns lines to print (the plain keys, on first run)."""
    env = os.environ if env is None else env
    if env.get("VERIFIER_API_KEYS_FILE", "").strip():
        return []
    var_dir = Path(env.get("VERIFIER_VAR_DIR", "").strip() or "var")
    notes: list[str] = []
    keys_file = var_dir / "verifier" / "api-keys.json"
    plain_file = plain_keys_path(var_dir)
    if not keys_file.exists():
        official = add_key(keys_file, DEV_OFFICIAL, OFFICIAL)
        business = add_key(keys_file, DEV_BUSINESS, BUSINESS)
        _write_private(plain_file, f"OFFICIAL_KEY={official}\nBUSINESS_KEY={business}\n")
        notes += [
            f"verifier: created dev API keys in {keys_file} (shown once; also in {plain_file}):",
            f"  official ({DEV_OFFICIAL}): {official}",
            f"  business ({DEV_BUSINESS}): {business}",
        ]
    elif plain_file.exists():
        notes.append(f"verifier: dev API keys are in {plain_file}")
    if not env.get("VERIFIER_AUDIT_KEY_FILE", "").strip():
        audit_key = var_dir / "verifier" / "audit-key"
        if not audit_key.exists():
            _write_private(audit_key, base64.b64encode(secrets.token_bytes(32)).decode("ascii") + "\n")
            notes.append(f"verifier: created the dev audit key {audit_key}")
    return notes
