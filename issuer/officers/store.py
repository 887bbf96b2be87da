"""Officer accounts in the registry database: create, disable, reset, sign in.

Every change is written with its audit entry in one transaction (operation
``officer.*``, acting administrator named, no secret in the details). Only the
argon2 hash of a password is stored. Sign-in failures are counted per account:
after MAX_FAILURES in a row the account waits LOCK_TIME before it can try again,
which stops guessing without letting a stranger lock an office out for long.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from issuer.errors import AlreadyExistsError, InvalidInputError, NotFoundError, SignInError
from issuer.model import timestamp

from . import credentials
from .model import NewOfficerSecrets, Officer, actor_name
from .roles import Role

if TYPE_CHECKING:
    from issuer.applications.stations import Station
    from issuer.registry import Registry

__all__ = ["LOCK_TIME", "MAX_FAILURES", "OfficerStore"]

MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=15)
_USERNAME = re.compile(r"[a-z][a-z0-9._-]{2,31}")
_COLUMNS = "officer_id, username, display_name, role, station, district_code, active, created_at"
_SIGN_IN_ZH = "用户名、密码或动态口令不正确，或账号已停用"
_SIGN_IN_EN = "wrong user name, password or one-time code, or the account is disabled"


def _officer(row: tuple[Any, ...]) -> Officer:
    return Officer(int(row[0]), row[1], row[2], Role(row[3]), row[4], int(row[5]), bool(row[6]),
                   datetime.fromisoformat(row[7]))


def station_of(registry: Registry, station_id: str) -> Station:
    """The station from the directory the applicant platform keeps; NOT_FOUND otherwise."""
    from issuer.applications.stations import StationDirectory
    from issuer.applications.store import ApplicationStore

    return StationDirectory(ApplicationStore(registry).sql).get(station_id)


def _text(value: str, limit: int, zh: str, en: str) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise InvalidInputError(f"{zh}须为1至{limit}个字符", f"{en} must be 1 to {limit} characters")
    return text


class OfficerStore:
    """The officers table of one registry."""

    def __init__(self, registry: Registry) -> None:
        self._reg = registry

    # ---- reads ---------------------------------------------------------------

    def get(self, officer_id: int) -> Officer | None:
        row = self._reg.connection.execute(
            f"SELECT {_COLUMNS} FROM officers WHERE officer_id = ?", (officer_id,)).fetchone()
        return _officer(row) if row else None

    def by_username(self, username: str) -> Officer | None:
        row = self._reg.connection.execute(
            f"SELECT {_COLUMNS} FROM officers WHERE username = ?", (username.strip().lower(),)).fetchone()
        return _officer(row) if row else None

    def require(self, username: str) -> Officer:
        found = self.by_username(username)
        if found is None:
            raise NotFoundError(f"警员账号 {username} 不存在", f"officer {username} not found")
        return found

    def roster(self) -> list[Officer]:
        rows = self._reg.connection.execute(
            f"SELECT {_COLUMNS} FROM officers ORDER BY station, username").fetchall()
        return [_officer(r) for r in rows]

    def disabled_actors(self) -> list[str]:
        """The audit names of every disabled account (for the verifiers' officer list)."""
        rows = self._reg.connection.execute("SELECT username FROM officers WHERE active = 0 ORDER BY username")
        return [actor_name(r[0]) for r in rows.fetchall()]

    def count(self) -> int:
        return int(self._reg.connection.execute("SELECT count(*) FROM officers").fetchone()[0])

    # ---- administration --------------------------------------------------------

    def create(self, username: str, display_name: str, role: Role | str, station_id: str,
               *, actor: str, now: datetime) -> NewOfficerSecrets:
        """A new account with a random password and TOTP secret, both returned once.

        The officer belongs to a station of the directory (issuer.applications.stations)
        and to that station's district.
        """
        name = username.strip().lower()
        if not _USERNAME.fullmatch(name):
            raise InvalidInputError("用户名须为3至32位小写字母、数字或 ._-，以字母开头",
                                    "user name: 3-32 lower-case letters, digits or ._-, starting with a letter")
        shown = _text(display_name, 50, "姓名", "display name")
        try:
            the_role = Role(role)
        except ValueError:
            raise InvalidInputError(f"未知的角色：{role}", f"unknown role: {role}") from None
        station = station_of(self._reg, _text(station_id, 16, "所属单位", "station"))
        where, district_code = station.station_id, station.district_code
        if self.by_username(name) is not None:
            raise AlreadyExistsError(f"用户名 {name} 已存在", f"user name {name} is taken")
        password, secret = credentials.new_password(), credentials.new_totp_secret()
        at = timestamp(now)
        with self._reg.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO officers (username, display_name, role, station, district_code, password_hash, "
                "totp_secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING officer_id",
                (name, shown, the_role.value, where, int(district_code), credentials.hash_password(password),
                 self._reg.at_rest.seal(secret, actor_name(name)), at, at),
            )
            officer_id = int(cur.fetchone()[0])
            self._reg.record_audit(actor=actor, operation="officer.create", cred_id=None, now=now,
                                   details={"officer": name, "role": the_role.value, "station": where,
                                            "district_code": int(district_code)})
        officer = self.get(officer_id)
        assert officer is not None
        return NewOfficerSecrets(officer, password, secret, credentials.provisioning_uri(secret, name))

    def set_active(self, username: str, active: bool, *, actor: str, now: datetime) -> Officer:
        """Disable (every session ends at once) or enable an account."""
        officer = self.require(username)
        with self._reg.transaction() as conn:
            conn.execute("UPDATE officers SET active = ?, failed_signins = 0, locked_until = NULL, "
                         "updated_at = ? WHERE officer_id = ?", (int(active), timestamp(now), officer.officer_id))
            if not active:
                conn.execute("DELETE FROM officer_sessions WHERE officer_id = ?", (officer.officer_id,))
            self._reg.record_audit(actor=actor, operation="officer.enable" if active else "officer.disable",
                                   cred_id=None, now=now, details={"officer": officer.username})
        return self.require(username)

    def reset(self, username: str, *, actor: str, now: datetime) -> NewOfficerSecrets:
        """New password and TOTP secret (a lost phone or a forgotten password); sessions end."""
        officer = self.require(username)
        password, secret = credentials.new_password(), credentials.new_totp_secret()
        with self._reg.transaction() as conn:
            conn.execute(
                "UPDATE officers SET password_hash = ?, totp_secret = ?, totp_last_step = 0, failed_signins = 0, "
                "locked_until = NULL, updated_at = ? WHERE officer_id = ?",
                (credentials.hash_password(password), self._reg.at_rest.seal(secret, officer.actor), timestamp(now),
                 officer.officer_id))
            conn.execute("DELETE FROM officer_sessions WHERE officer_id = ?", (officer.officer_id,))
            self._reg.record_audit(actor=actor, operation="officer.reset", cred_id=None, now=now,
                                   details={"officer": officer.username})
        return NewOfficerSecrets(officer, password, secret, credentials.provisioning_uri(secret, officer.username))

    # ---- sign-in ---------------------------------------------------------------

    def authenticate(self, username: str, password: str, otp: str, *, now: datetime) -> Officer:
        """The officer when name, password and one-time code are right; SignInError otherwise.

        The password is checked even for an unknown name (against a dummy hash), so
        the answer takes the same time whether or not the account exists.
        """
        name = username.strip().lower()[:64]
        row = self._reg.connection.execute(
            f"SELECT {_COLUMNS}, password_hash, totp_secret, totp_last_step, failed_signins, locked_until "
            "FROM officers WHERE username = ?", (name,)).fetchone()
        if row is None:
            credentials.password_ok(_DUMMY_HASH, password)
            raise SignInError(_SIGN_IN_ZH, _SIGN_IN_EN)
        officer = _officer(row)
        stored_hash, secret, last_step, failures, locked_until = row[8], row[9], int(row[10]), int(row[11]), row[12]
        at = timestamp(now)
        if locked_until is not None and at < locked_until:
            credentials.password_ok(stored_hash, password)
            raise SignInError("登录失败次数过多，请15分钟后再试", "too many failed sign-ins; try again in 15 minutes")
        step = credentials.totp_step(self._reg.at_rest.open(secret, officer.actor), otp, now.timestamp(),
                                     last_step=last_step)
        good = credentials.password_ok(stored_hash, password) and step is not None
        if not good or not officer.active:
            failures += 1
            lock = timestamp(now + LOCK_TIME) if failures >= MAX_FAILURES else None
            with self._reg.transaction() as conn:
                conn.execute("UPDATE officers SET failed_signins = ?, locked_until = ? WHERE officer_id = ?",
                             (0 if lock else failures, lock, officer.officer_id))
                self._reg.record_audit(actor=officer.actor, operation="officer.signin_failed", cred_id=None,
                                       now=now, details={"locked": lock is not None})
            raise SignInError(_SIGN_IN_ZH, _SIGN_IN_EN)
        new_hash = credentials.hash_password(password) if credentials.needs_rehash(stored_hash) else stored_hash
        with self._reg.transaction() as conn:
            conn.execute("UPDATE officers SET failed_signins = 0, locked_until = NULL, totp_last_step = ?, "
                         "password_hash = ? WHERE officer_id = ?", (step, new_hash, officer.officer_id))
        return officer


_DUMMY_HASH = credentials.hash_password("not a password of anyone")
