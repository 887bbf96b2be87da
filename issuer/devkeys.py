"""Opening the issuer's keys and admin token, creating development ones when none are set.

With no configuration at all the service still starts: it generates a passphrase
into ``var/dev/key-passphrase``, a key store in ``var/issuer/keys``, an admin token
in ``var/dev/issuer-admin-token`` and, so that a local verifier can check offline
passes, a copy of the rotation secret in ``var/dev/rotation-secret``. Every secret
file is created with mode 0600 in a 0700 directory, and a warning is logged on
every start: keys whose passphrase lies next to them protect nothing, which is
fine for a laptop and wrong for an office.

With ``PERMIT_KEY_PASSPHRASE`` or ``PERMIT_KEY_PASSPHRASE_FILE`` set nothing is
generated: the key store must already exist (``python -m keys generate``), and
the rotation secret is never written out in plain form.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass, field

from keys.edge.files import write_private
from keys.keypair import KeyFileError, SigningKey
from keys.keystore import KeyStore
from keys.storeconfig import PASSPHRASE_FILE, dev_secret

from .config import Config

__all__ = ["ADMIN_TOKEN_FILE", "PASSPHRASE_FILE", "ROTATION_SECRET_FILE", "KeyMaterial", "admin_token_digest",
           "open_keys", "token_digest"]

log = logging.getLogger("issuer.keys")

ROTATION_SECRET_FILE = "rotation-secret"
ADMIN_TOKEN_FILE = "issuer-admin-token"


@dataclass(frozen=True)
class KeyMaterial:
    """What the running service signs with. Its repr shows no secret."""

    store: KeyStore
    signer: SigningKey
    rotation_secret: bytes = field(repr=False)
    dev_mode: bool


def open_keys(config: Config, now: float) -> KeyMaterial:
    """The key store, its signing key and rotation secret; KeyFileError if unusable."""
    store = KeyStore(config.keys_dir, config.key_store.open_passphrase(), max_validity_s=config.slip_days * 86400)
    if not store.exists():
        if not config.dev_mode:
            raise KeyFileError(
                "NO_KEYS",
                f"no keys in {config.keys_dir}: create them with `python -m keys generate` "
                "(the service only generates keys itself in development mode)",
            )
        try:
            store.generate(int(now))
            log.warning("generated development keys in %s", config.keys_dir)
        except KeyFileError as exc:
            if exc.code != "KEYS_EXIST":  # another process won the race: use its keys
                raise
    signer = store.signer()
    secret = store.rotation_secret()
    if config.dev_mode:
        path = config.dev_dir / ROTATION_SECRET_FILE
        encoded = base64.b64encode(secret)
        if not path.is_file() or path.read_bytes().strip() != encoded:
            write_private(path, encoded + b"\n")
        log.warning(
            "DEVELOPMENT KEYS IN USE: the key passphrase is stored in %s next to the keys. "
            "Set PERMIT_KEY_PASSPHRASE or PERMIT_KEY_PASSPHRASE_FILE for real use.",
            config.dev_dir / PASSPHRASE_FILE,
        )
    return KeyMaterial(store, signer, secret, config.dev_mode)


def token_digest(token: str) -> bytes:
    """SHA-256 of a bearer token: the only form in which the service keeps it."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def admin_token_digest(config: Config) -> bytes:
    """The hash of the admin token from the environment, a file, or the dev file."""
    if config.admin_token is not None:
        return token_digest(config.admin_token.reveal())
    if config.admin_token_file is not None:
        try:
            text = config.admin_token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise KeyFileError(
                "ADMIN_TOKEN_UNREADABLE", f"cannot read ISSUER_ADMIN_TOKEN_FILE {config.admin_token_file}: {exc.strerror}"
            ) from None
        if len(text) < 16:
            raise KeyFileError("ADMIN_TOKEN_WEAK", "the admin token must be at least 16 characters")
        return token_digest(text)
    path = config.dev_dir / ADMIN_TOKEN_FILE
    token = dev_secret(path).decode("utf-8")
    log.warning("admin token from %s (set ISSUER_ADMIN_TOKEN_FILE for real use)", path)
    return token_digest(token)
