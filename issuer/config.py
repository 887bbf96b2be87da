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
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from keys.wire import PASS_MAX_HOURS

DEFAULT_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEFAULT_OFFICE = "北京市居住证件签发机关 / Beijing residence permit office"


class ConfigError(ValueError):
    """A setting has a value the service cannot run with; the message names it."""


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value


@dataclass(frozen=True)
class Config:
    """Resolved settings. Secrets are held as given and kept out of ``repr``."""

    registry_path: str = "var/issuer/registry.sqlite3"
    keys_dir: Path = Path("var/issuer/keys")
    dev_dir: Path = Path("var/dev")
    passphrase: bytes | None = field(default=None, repr=False)
    admin_token: str | None = field(default=None, repr=False)
    admin_token_file: Path | None = None
    period_s: int = 15
    pass_hours: int = 24
    status_ttl_s: int = 60
    slip_days: int = 365
    office_name: str = DEFAULT_OFFICE
    cjk_font: Path = DEFAULT_FONT

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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Config":
        env = os.environ if env is None else env
        var = Path(env.get("ISSUER_VAR_DIR") or "var")
        passphrase: bytes | None = None
        if env.get("PERMIT_KEY_PASSPHRASE") or env.get("PERMIT_KEY_PASSPHRASE_FILE"):
            from keys.keystore import passphrase_from_env

            passphrase = passphrase_from_env(env)
        token_file = env.get("ISSUER_ADMIN_TOKEN_FILE")
        return cls(
            registry_path=(env.get("ISSUER_DATABASE_URL") or env.get("ISSUER_DB")
                           or str(var / "issuer" / "registry.sqlite3")),
            keys_dir=Path(env.get("ISSUER_KEYS_DIR") or var / "issuer" / "keys"),
            dev_dir=Path(env.get("ISSUER_DEV_DIR") or var / "dev"),
            passphrase=passphrase,
            admin_token=env.get("ISSUER_ADMIN_TOKEN") or None,
            admin_token_file=Path(token_file) if token_file else None,
            period_s=_int(env, "ISSUER_PERIOD_S", 15, 1, 255),
            pass_hours=_int(env, "ISSUER_PASS_HOURS", 24, 1, PASS_MAX_HOURS),
            status_ttl_s=_int(env, "ISSUER_STATUS_TTL_S", 60, 1, 86400),
            slip_days=_int(env, "ISSUER_SLIP_DAYS", 365, 1, 366),
            office_name=env.get("ISSUER_OFFICE_NAME") or DEFAULT_OFFICE,
            cjk_font=Path(env.get("ISSUER_CJK_FONT") or DEFAULT_FONT),
        )
