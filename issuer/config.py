"""Settings of the issuer service, read once from the environment.

Everything has a default that works on a developer's machine with no setup at
all (keys, passphrase and admin token are then created under ``var/``, see
``issuer.devkeys``). A deployment sets the passphrase and admin token through
the environment or files, never on the command line, where ``ps`` would show them.

Variables (all optional)::

    ISSUER_VAR_DIR             base directory for the defaults below (var)
    ISSUER_DB                  registry database (var/issuer/registry.sqlite3)
    ISSUER_DATABASE_URL        postgresql://... : the registry in PostgreSQL instead (wins over ISSUER_DB)
    ISSUER_KEYS_DIR            key store directory (var/issuer/keys)
    ISSUER_DEV_DIR             dev secrets: passphrase, rotation secret, admin token (var/dev)
    PERMIT_KEY_PASSPHRASE[_FILE]  key store passphrase; unset means dev mode
    ISSUER_ADMIN_TOKEN[_FILE]  admin bearer token; unset means var/dev/issuer-admin-token
    ISSUER_PERIOD_S            live code rotation period in seconds (15)
    ISSUER_PASS_HOURS          offline pass lifetime in hours, 1..72 (24)
    ISSUER_STATUS_TTL_S        status list time to live in seconds (60)
    ISSUER_SLIP_DAYS           longest validity of a paper slip in days (365)
    ISSUER_OFFICE_NAME         issuing office printed on paper slips
    ISSUER_CJK_FONT            font file for PDF slips (Noto Sans CJK from fonts-noto-cjk)
    ISSUER_CHECKS_KEY_FILE     X25519 private key that verifiers seal check records to (issuer.check_keys)
    ISSUER_VERIFIERS_FILE      verifiers allowed to push check records: JSON [{"name", "sha256"}]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from keys.edge.env import ConfigError, Env, Secret
from keys.storeconfig import KeyStoreConfig
from keys.wire import PASS_MAX_HOURS

__all__ = ["Config", "ConfigError"]

DEFAULT_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEFAULT_OFFICE = "北京市居住证件签发机关 / Beijing residence permit office"


@dataclass(frozen=True)
class Config:
    """Resolved settings. Secrets are ``Secret``s: a repr of the configuration shows none of them.

    The key store's part (directory, dev directory, passphrase) is
    ``keys.storeconfig.KeyStoreConfig``, read the same way by ``python -m keys``.
    """

    registry_path: str = "var/issuer/registry.sqlite3"
    keys_dir: Path = Path("var/issuer/keys")
    dev_dir: Path = Path("var/dev")
    passphrase: Secret[bytes] | None = None
    admin_token: Secret[str] | None = None
    admin_token_file: Path | None = None
    period_s: int = 15
    pass_hours: int = 24
    status_ttl_s: int = 60
    slip_days: int = 365
    office_name: str = DEFAULT_OFFICE
    cjk_font: Path = DEFAULT_FONT
    checks_key_file: Path | None = None
    verifiers_file: Path | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.period_s <= 255:
            raise ConfigError("the rotation period must be 1..255 seconds")
        if not 1 <= self.pass_hours <= PASS_MAX_HOURS:
            raise ConfigError(f"the pass lifetime must be 1..{PASS_MAX_HOURS} hours")
        if not 1 <= self.slip_days <= 366:
            raise ConfigError("a paper slip is valid for 1..366 days")

    @property
    def dev_mode(self) -> bool:
        """No passphrase configured: keys are protected by a generated dev passphrase."""
        return self.passphrase is None

    @property
    def key_store(self) -> KeyStoreConfig:
        """Where the keys are and what opens them, as ``python -m keys`` sees it."""
        return KeyStoreConfig(self.keys_dir, self.dev_dir, self.passphrase)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Config":
        read = Env(env)
        var = read.path("ISSUER_VAR_DIR", Path("var"))
        store = KeyStoreConfig.from_env(read.env)
        return cls(
            registry_path=(read.raw("ISSUER_DATABASE_URL") or read.raw("ISSUER_DB")
                           or str(var / "issuer" / "registry.sqlite3")),
            keys_dir=store.keys_dir,
            dev_dir=store.dev_dir,
            passphrase=store.passphrase,
            admin_token=read.secret("ISSUER_ADMIN_TOKEN"),
            admin_token_file=read.optional_path("ISSUER_ADMIN_TOKEN_FILE"),
            period_s=read.integer("ISSUER_PERIOD_S", 15, low=1, high=255),
            pass_hours=read.integer("ISSUER_PASS_HOURS", 24, low=1, high=PASS_MAX_HOURS),
            status_ttl_s=read.integer("ISSUER_STATUS_TTL_S", 60, low=1, high=86400),
            slip_days=read.integer("ISSUER_SLIP_DAYS", 365, low=1, high=366),
            office_name=read.text("ISSUER_OFFICE_NAME", DEFAULT_OFFICE),
            cjk_font=read.path("ISSUER_CJK_FONT", DEFAULT_FONT),
            checks_key_file=read.optional_path("ISSUER_CHECKS_KEY_FILE"),
            verifiers_file=read.optional_path("ISSUER_VERIFIERS_FILE"),
        )
