"""First-run files for the embedded default (no ``VERIFIER_API_KEYS_FILE``).

So that ``scripts/serve`` works on a fresh checkout, the verifier creates under
``VERIFIER_VAR_DIR`` (default ``var``; the paths are ``verifier.config.Files``):

* ``verifier/api-keys.json``: one official and one business key (hashes only);
* ``dev/verifier-api-keys.txt`` (mode 0600): the two plain keys, as shell
  assignments ``OFFICIAL_KEY=...`` / ``BUSINESS_KEY=...`` for the README walkthrough;
* ``verifier/audit-key`` (mode 0600): the audit HMAC key, base64.

A configured deployment never reaches this module: its files are made by an
operator (``python -m verifier add-key``) and nothing is generated silently.
"""

from __future__ import annotations

import base64
import secrets
from typing import Mapping

from keys.edge.files import write_private

from .auth import BUSINESS, OFFICIAL, add_key
from .config import Files

DEV_OFFICIAL = "dev-official"
DEV_BUSINESS = "dev-business"


def prepare(env: Mapping[str, str] | None = None) -> list[str]:
    """Create missing dev files; returns lines to print (the plain keys, on first run)."""
    files = Files.from_env(env)
    if files.api_keys_configured:
        return []
    notes: list[str] = []
    keys_file = files.api_keys_file
    plain_file = files.dev_plain_keys_file
    if not keys_file.exists():
        official = add_key(keys_file, DEV_OFFICIAL, OFFICIAL)
        business = add_key(keys_file, DEV_BUSINESS, BUSINESS)
        write_private(plain_file, f"OFFICIAL_KEY={official}\nBUSINESS_KEY={business}\n")
        notes += [
            f"verifier: created dev API keys in {keys_file} (shown once; also in {plain_file}):",
            f"  official ({DEV_OFFICIAL}): {official}",
            f"  business ({DEV_BUSINESS}): {business}",
        ]
    elif plain_file.exists():
        notes.append(f"verifier: dev API keys are in {plain_file}")
    if files.audit_key_file is None:
        audit_key = files.dev_audit_key_file
        if not audit_key.exists():
            write_private(audit_key, base64.b64encode(secrets.token_bytes(32)).decode("ascii") + "\n")
            notes.append(f"verifier: created the dev audit key {audit_key}")
    return notes
