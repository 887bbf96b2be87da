"""Where the issuer's key store lives and what opens it: one answer for the service and ``python -m keys``.

The issuer service and the key command line must open the same directory with
the same passphrase, or ``python -m keys rotate`` rotates keys nobody signs
with. Both read this configuration (the issuer's ``Config`` embeds it), so a
variable means the same thing to both::

    ISSUER_VAR_DIR                 base directory of the defaults below (var)
    ISSUER_KEYS_DIR                key store directory (var/issuer/keys)
    ISSUER_DEV_DIR                 development secrets (var/dev)
    PERMIT_KEY_PASSPHRASE[_FILE]   passphrase of the encrypted keys; unset means development mode

In development mode the passphrase is generated once into ``<dev dir>/key-passphrase``:
keys whose passphrase lies next to them protect nothing, which is fine for a
laptop and wrong for an office.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .edge.env import Env, Secret
from .edge.files import create_private
from .keypair import KeyFileError

PASSPHRASE_FILE = "key-passphrase"


@dataclass(frozen=True)
class KeyStoreConfig:
    """The key directory, the dev directory and the configured passphrase (None: development mode)."""

    keys_dir: Path = Path("var/issuer/keys")
    dev_dir: Path = Path("var/dev")
    passphrase: Secret[bytes] | None = None

    @property
    def dev_mode(self) -> bool:
        return self.passphrase is None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "KeyStoreConfig":
        read = Env(env)
        var = read.path("ISSUER_VAR_DIR", Path("var"))
        passphrase: Secret[bytes] | None = None
        if read.raw("PERMIT_KEY_PASSPHRASE") or read.raw("PERMIT_KEY_PASSPHRASE_FILE"):
            from .keystore import passphrase_from_env

            passphrase = Secret(passphrase_from_env(read.env))
        return cls(
            keys_dir=read.path("ISSUER_KEYS_DIR", var / "issuer" / "keys"),
            dev_dir=read.path("ISSUER_DEV_DIR", var / "dev"),
            passphrase=passphrase,
        )

    def open_passphrase(self) -> bytes:
        """The configured passphrase, or the development one (generated on first use)."""
        if self.passphrase is not None:
            return self.passphrase.reveal()
        return dev_secret(self.dev_dir / PASSPHRASE_FILE)


def dev_secret(path: Path) -> bytes:
    """A generated development secret: the file's content, created (0600, exclusively) on first use.

    Creation is exclusive, so two processes starting together agree on one value.
    """
    create_private(path, secrets.token_urlsafe(32) + "\n")
    value = path.read_bytes().strip()
    if not value:
        raise KeyFileError("EMPTY_SECRET_FILE", f"{path} is empty; delete it to have it recreated")
    return value
