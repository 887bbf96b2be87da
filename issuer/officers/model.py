"""An officer as the rest of the issuer sees it: no password hash, no TOTP secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from keys.districts import District, district_by_code

from .roles import Act, Role, allowed

__all__ = ["NewOfficerSecrets", "Officer", "actor_name"]

ACTOR_PREFIX = "officer:"


def actor_name(username: str) -> str:
    """How an officer is named in the audit log."""
    return ACTOR_PREFIX + username


@dataclass(frozen=True)
class Officer:
    officer_id: int
    username: str
    display_name: str
    role: Role
    station: str
    district_code: int
    active: bool
    created_at: datetime

    @property
    def actor(self) -> str:
        return actor_name(self.username)

    @property
    def district(self) -> District:
        return district_by_code(self.district_code)

    def may(self, act: Act) -> bool:
        return self.active and allowed(self.role, act)


@dataclass(frozen=True)
class NewOfficerSecrets:
    """What is shown once when an account is created or reset, then never again."""

    officer: Officer
    password: str
    totp_secret: str
    totp_uri: str

    def __repr__(self) -> str:
        return f"NewOfficerSecrets(officer={self.officer.username!r})"
