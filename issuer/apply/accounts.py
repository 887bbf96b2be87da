"""Real-name applicant accounts: registration, sign-in, sessions, TOTP, password reset.

An account is one person: an 18-character citizen ID number (checked per GB 11643
by issuer.idnumber), the name on it, a mobile number verified by a text-message
code, and an argon2 password. It may add a TOTP second factor (pyotp). Sessions
are random tokens stored only as hashes, each with its own CSRF token.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyotp

from issuer import tokens
from issuer.applications.sql import Sql, ensure_schema
from issuer.errors import AlreadyExistsError, InvalidFieldError, NotFoundError
from issuer.idnumber import IdNumberError, validate_id_number
from issuer.model import timestamp
from issuer.otp import totp_step
from keys.timekeeping import beijing_date
from issuer.registry import Registry
from issuer.sms import SmsSender

from .passwords import DUMMY_HASH, hash_password, password_problem, verify_password
from .schema import MIGRATIONS

__all__ = ["Account", "AccountStore", "Session", "SignInError", "SESSION_IDLE", "SESSION_MAX"]

PHONE = re.compile(r"1[3-9]\d{9}")
SESSION_IDLE = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=12)
SMS_CODE_TTL = timedelta(minutes=10)
SMS_CODE_ATTEMPTS = 5
SMS_RESEND_WAIT = timedelta(seconds=60)  # one text a minute per number and purpose
TOTP_ISSUER = "北京居住证 Beijing residence permit"
_COLUMNS = "account_id, id_number, name, phone, totp_enabled, created_at"


@dataclass(frozen=True)
class Account:
    account_id: str
    id_number: str = field(repr=False)
    name: str
    phone: str
    totp_enabled: bool
    created_at: datetime

    @property
    def masked_phone(self) -> str:
        return self.phone[:3] + "****" + self.phone[-4:]


@dataclass(frozen=True)
class Session:
    account: Account
    csrf: str = field(repr=False)


class SignInError(Exception):
    """Wrong login, password or second-factor code; `code` is BAD_CREDENTIALS or TOTP_REQUIRED."""

    def __init__(self, code: str, account_id: str | None) -> None:
        super().__init__(code)
        self.code = code
        self.account_id = account_id


def _row(account_id: str) -> str:
    """What a sealed secret of the account is bound to (issuer.at_rest)."""
    return f"applicant:{account_id}"


class AccountStore:
    def __init__(self, registry: Registry, *, sms: SmsSender | None = None) -> None:
        self.sql = Sql(registry)
        self._at_rest = registry.at_rest
        ensure_schema(self.sql, "apply_accounts", MIGRATIONS)
        self.sms = sms

    # ---- phone verification --------------------------------------------------

    def send_code(self, phone: str, purpose: str, now: datetime) -> None:
        """Text a 6-digit code for ``purpose`` (register, reset); a new one replaces the last."""
        number = normalise_phone(phone)
        code = f"{secrets.randbelow(10**6):06d}"
        with self.sql.transaction():
            last = self.sql.scalar("SELECT expires_at FROM apply_sms_codes WHERE phone = ? AND purpose = ?",
                                   (number, purpose))
            if last is not None:
                wait = (datetime.fromisoformat(str(last)) - SMS_CODE_TTL + SMS_RESEND_WAIT - now).total_seconds()
                if wait > 0:
                    raise InvalidFieldError("sms_code", f"验证码已发送，请 {int(wait) + 1} 秒后再获取",
                                            f"A code was just sent: ask again in {int(wait) + 1} seconds")
            self.sql.run("DELETE FROM apply_sms_codes WHERE phone = ? AND purpose = ?", (number, purpose))
            self.sql.run("INSERT INTO apply_sms_codes (phone, purpose, code_hash, expires_at) VALUES (?, ?, ?, ?)",
                         (number, purpose, tokens.hash_secret(code), timestamp(now + SMS_CODE_TTL)))
        if self.sms is not None:
            self.sms.send(number, f"【北京居住证】验证码 {code}，10分钟内有效。Your code is {code}.", now)

    def _use_code(self, phone: str, purpose: str, code: str, now: datetime) -> None:
        """Spend a texted code, or count a wrong try (committed even though the caller fails)."""
        with self.sql.transaction():
            row = self.sql.one("SELECT code_hash, expires_at, attempts FROM apply_sms_codes "
                               "WHERE phone = ? AND purpose = ?", (phone, purpose))
            ok = (row is not None and str(row[1]) > timestamp(now) and int(row[2]) < SMS_CODE_ATTEMPTS
                  and hmac.compare_digest(str(row[0]), tokens.hash_secret(code.strip())))
            if ok:
                self.sql.run("DELETE FROM apply_sms_codes WHERE phone = ? AND purpose = ?", (phone, purpose))
            elif row is not None:
                self.sql.run("UPDATE apply_sms_codes SET attempts = attempts + 1 WHERE phone = ? AND purpose = ?",
                             (phone, purpose))
        if not ok:
            raise InvalidFieldError("sms_code", "短信验证码错误或已过期", "The text-message code is wrong or has expired")

    # ---- registration and sign-in ------------------------------------------

    def register(self, *, name: str, id_number: str, phone: str, password: str, sms_code: str,
                 now: datetime) -> Account:
        holder = name.strip()
        if not 1 <= len(holder) <= 50:
            raise InvalidFieldError("name", "请填写身份证上的姓名", "Enter your name as on your ID card")
        try:
            idn = validate_id_number(id_number, today=beijing_date(now))
        except IdNumberError:
            raise InvalidFieldError("id_number", "公民身份号码无效，请核对", "That citizen ID number is not valid") from None
        number = normalise_phone(phone)
        problem = password_problem(password)
        if problem is not None:
            raise InvalidFieldError("password", *problem)
        self._use_code(number, "register", sms_code, now)
        with self.sql.transaction():
            if self.sql.one("SELECT 1 FROM apply_accounts WHERE id_number = ?", (idn,)):
                raise AlreadyExistsError("该身份号码已注册，请直接登录或找回密码",
                                         "An account exists for this ID number: sign in or reset the password")
            if self.sql.one("SELECT 1 FROM apply_accounts WHERE phone = ?", (number,)):
                raise AlreadyExistsError("该手机号已注册", "This mobile number is already registered")
            account_id = secrets.token_hex(8)
            at = timestamp(now)
            self.sql.run("INSERT INTO apply_accounts (account_id, id_number, name, phone, password_hash, created_at, "
                         "password_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (account_id, idn, holder, number, hash_password(password), at, at))
        return self.get(account_id)

    def get(self, account_id: str) -> Account:
        row = self.sql.one(f"SELECT {_COLUMNS} FROM apply_accounts WHERE account_id = ?", (account_id,))
        if row is None:
            raise NotFoundError("账户不存在", "account not found")
        return _account(row)

    def find_login(self, login: str) -> str | None:
        """The account a login (ID number or mobile number) names, or None."""
        text = login.strip().upper()
        row = self.sql.one("SELECT account_id FROM apply_accounts WHERE id_number = ? OR phone = ?", (text, text))
        return None if row is None else str(row[0])

    def authenticate(self, login: str, password: str, totp_code: str | None, now: datetime) -> Account:
        """The account, or SignInError. A missing second factor is TOTP_REQUIRED only after the
        password matched, so the question "has 2FA" is never answered to a guesser."""
        account_id = self.find_login(login)
        row = None if account_id is None else self.sql.one(
            "SELECT password_hash, totp_enabled, totp_secret, totp_last_step FROM apply_accounts WHERE account_id = ?",
            (account_id,))
        matches, rehash = verify_password(DUMMY_HASH if row is None else str(row[0]), password)
        if row is None or account_id is None or not matches:
            raise SignInError("BAD_CREDENTIALS", account_id)
        if row[1]:
            if not totp_code or not totp_code.strip():
                raise SignInError("TOTP_REQUIRED", account_id)
            step = totp_step(self._totp_secret(account_id, str(row[2])), totp_code, now, last_step=int(row[3]))
            if step is None:
                raise SignInError("BAD_CREDENTIALS", account_id)
            self.sql.run("UPDATE apply_accounts SET totp_last_step = ? WHERE account_id = ?", (step, account_id))
        if rehash:
            self.sql.run("UPDATE apply_accounts SET password_hash = ? WHERE account_id = ?",
                         (hash_password(password), account_id))
        return self.get(account_id)

    # ---- sessions ------------------------------------------------------------

    def open_session(self, account_id: str, now: datetime) -> str:
        """A new session token (kept by the browser in an HttpOnly cookie)."""
        token = secrets.token_urlsafe(32)
        at = timestamp(now)
        self.sql.run("INSERT INTO apply_sessions (token_hash, account_id, csrf, created_at, expires_at, last_seen_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (tokens.hash_secret(token), account_id, secrets.token_urlsafe(24),
                                                   at, timestamp(now + SESSION_MAX), at))
        return token

    def session(self, token: str, now: datetime) -> Session | None:
        """The live session for a token, its idle time renewed; None when unknown, idle or expired."""
        key = tokens.hash_secret(token)
        row = self.sql.one("SELECT account_id, csrf, expires_at, last_seen_at FROM apply_sessions WHERE token_hash = ?",
                           (key,))
        if row is None:
            return None
        if str(row[2]) <= timestamp(now) or str(row[3]) <= timestamp(now - SESSION_IDLE):
            self.sql.run("DELETE FROM apply_sessions WHERE token_hash = ?", (key,))
            return None
        self.sql.run("UPDATE apply_sessions SET last_seen_at = ? WHERE token_hash = ?", (timestamp(now), key))
        return Session(self.get(str(row[0])), str(row[1]))

    def close_session(self, token: str) -> None:
        self.sql.run("DELETE FROM apply_sessions WHERE token_hash = ?", (tokens.hash_secret(token),))

    # ---- second factor and password reset ------------------------------------

    def totp_begin(self, account_id: str) -> str:
        """A new secret to enrol (not yet required at sign-in); the provisioning URI for the QR."""
        self.sql.run("UPDATE apply_accounts SET totp_secret = ?, totp_enabled = 0 WHERE account_id = ?",
                     (self._at_rest.seal(pyotp.random_base32(), _row(account_id)), account_id))
        uri = self.totp_pending_uri(account_id)
        assert uri is not None
        return uri

    def totp_pending_uri(self, account_id: str) -> str | None:
        """The provisioning URI of a secret begun but not yet confirmed (to show its QR again)."""
        row = self.sql.one("SELECT totp_secret, totp_enabled FROM apply_accounts WHERE account_id = ?", (account_id,))
        if row is None or row[0] is None or row[1]:
            return None
        return pyotp.TOTP(self._totp_secret(account_id, str(row[0]))).provisioning_uri(name=self.get(account_id).masked_phone,
                                                        issuer_name=TOTP_ISSUER)

    def totp_confirm(self, account_id: str, code: str, now: datetime) -> None:
        """Turn the second factor on once the phone shows a right code."""
        secret = self.sql.scalar("SELECT totp_secret FROM apply_accounts WHERE account_id = ?", (account_id,))
        step = None if secret is None else totp_step(self._totp_secret(account_id, str(secret)), code, now,
                                                     last_step=0)
        if step is None:
            raise InvalidFieldError("totp", "动态验证码错误", "That code is not right: try the current one")
        self.sql.run("UPDATE apply_accounts SET totp_enabled = 1, totp_last_step = ? WHERE account_id = ?",
                     (step, account_id))

    def _totp_secret(self, account_id: str, stored: str) -> str:
        return self._at_rest.open(stored, _row(account_id))

    def totp_disable(self, account_id: str, password: str) -> None:
        stored = str(self.sql.scalar("SELECT password_hash FROM apply_accounts WHERE account_id = ?", (account_id,)))
        if not verify_password(stored, password)[0]:
            raise InvalidFieldError("password", "密码错误", "Wrong password")
        self.sql.run("UPDATE apply_accounts SET totp_secret = NULL, totp_enabled = 0 WHERE account_id = ?",
                     (account_id,))

    def reset_password(self, *, login: str, sms_code: str, password: str, now: datetime) -> Account:
        """Set a new password with a code texted to the account's phone; every session ends."""
        account_id = self.find_login(login)
        problem = password_problem(password)
        if problem is not None:
            raise InvalidFieldError("password", *problem)
        if account_id is None:
            raise InvalidFieldError("sms_code", "短信验证码错误或已过期", "The text-message code is wrong or has expired")
        account = self.get(account_id)
        self._use_code(account.phone, "reset", sms_code, now)
        with self.sql.transaction():
            self.sql.run("UPDATE apply_accounts SET password_hash = ?, password_at = ? WHERE account_id = ?",
                         (hash_password(password), timestamp(now), account_id))
            self.sql.run("DELETE FROM apply_sessions WHERE account_id = ?", (account_id,))
        return account

    def secret(self, name: str) -> bytes:
        """A server-side random key kept in the database (e.g. for known-device cookies)."""
        with self.sql.transaction():
            value = self.sql.scalar("SELECT value FROM apply_secrets WHERE name = ?", (name,))
            if value is None:
                value = secrets.token_hex(32)
                self.sql.run("INSERT INTO apply_secrets (name, value) VALUES (?, ?)", (name, value))
        return bytes.fromhex(str(value))


def normalise_phone(phone: str) -> str:
    number = phone.strip().replace(" ", "").replace("-", "").removeprefix("+86")
    if not PHONE.fullmatch(number):
        raise InvalidFieldError("phone", "请填写11位手机号码", "Enter an 11-digit mobile number")
    return number


def _account(r: tuple[object, ...]) -> Account:
    return Account(account_id=str(r[0]), id_number=str(r[1]), name=str(r[2]), phone=str(r[3]),
                   totp_enabled=bool(r[4]), created_at=datetime.fromisoformat(str(r[5])))
