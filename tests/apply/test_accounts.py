"""Accounts: real-name registration, argon2 passwords, TOTP, sessions, password reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from issuer.apply.accounts import SESSION_IDLE, SESSION_MAX, AccountStore, SignInError
from issuer.errors import AlreadyExistsError, InvalidFieldError
from issuer.registry import Registry
from issuer.sms import DevOutbox
from tests.apply.conftest import NOW
from tests.issuer.idgen import make_id

PHONE = "13912345678"


@pytest.fixture
def accounts(registry: Registry, outbox: DevOutbox) -> AccountStore:
    return AccountStore(registry, sms=outbox)


def code(outbox: DevOutbox, phone: str = PHONE) -> str:
    found = re.search(r"验证码 (\d{6})", outbox.messages(phone)[-1].text)
    assert found
    return found.group(1)


def new_account(accounts: AccountStore, outbox: DevOutbox, *, seq: int = 1, phone: str = PHONE) -> str:
    accounts.send_code(phone, "register", NOW)
    return accounts.register(name="王芳", id_number=make_id(seq=seq), phone=phone, password="abc12345",
                             sms_code=code(outbox, phone), now=NOW).account_id


def test_registration_checks_each_field(accounts: AccountStore, outbox: DevOutbox) -> None:
    accounts.send_code(PHONE, "register", NOW)
    good = dict(name="王芳", id_number=make_id(), phone=PHONE, password="abc12345", now=NOW)
    bad_id = make_id()[:-1] + ("0" if make_id()[-1] != "0" else "1")
    for field, change in (("id_number", {"id_number": bad_id}), ("phone", {"phone": "12345"}),
                          ("password", {"password": "short1"}), ("password", {"password": "lettersonly"}),
                          ("name", {"name": " "}), ("sms_code", {"sms_code": "000000"})):
        with pytest.raises(InvalidFieldError) as info:
            accounts.register(**{"sms_code": code(outbox), **good, **change})  # type: ignore[arg-type]
        assert info.value.field == field
    account = accounts.register(sms_code=code(outbox), **good)  # type: ignore[arg-type]
    assert account.name == "王芳" and account.masked_phone == "139****5678"
    stored = accounts.sql.scalar("SELECT password_hash FROM apply_accounts")
    assert str(stored).startswith("$argon2id$") and "abc12345" not in str(stored)


def test_a_code_works_once_and_an_id_number_registers_once(accounts: AccountStore, outbox: DevOutbox) -> None:
    new_account(accounts, outbox)
    with pytest.raises(InvalidFieldError):  # the code was used
        accounts.register(name="王芳", id_number=make_id(seq=2), phone=PHONE, password="abc12345",
                          sms_code=code(outbox), now=NOW)
    accounts.send_code("13900000009", "register", NOW)
    with pytest.raises(AlreadyExistsError):
        accounts.register(name="王芳", id_number=make_id(seq=1), phone="13900000009", password="abc12345",
                          sms_code=code(outbox, "13900000009"), now=NOW)


def test_codes_expire_wear_out_and_are_sent_once_a_minute(accounts: AccountStore, outbox: DevOutbox) -> None:
    accounts.send_code(PHONE, "register", NOW)
    with pytest.raises(InvalidFieldError) as again:
        accounts.send_code(PHONE, "register", NOW + timedelta(seconds=30))
    assert "31" in again.value.message_zh and len(outbox.messages(PHONE)) == 1
    good = code(outbox)
    with pytest.raises(InvalidFieldError):
        accounts.register(name="王芳", id_number=make_id(), phone=PHONE, password="abc12345", sms_code=good,
                          now=NOW + timedelta(minutes=11))
    accounts.send_code(PHONE, "register", NOW + timedelta(minutes=12))
    good = code(outbox)
    for _ in range(5):
        with pytest.raises(InvalidFieldError):
            accounts.register(name="王芳", id_number=make_id(), phone=PHONE, password="abc12345",
                              sms_code="111111" if good != "111111" else "222222", now=NOW + timedelta(minutes=12))
    with pytest.raises(InvalidFieldError):  # five wrong tries spend the code
        accounts.register(name="王芳", id_number=make_id(), phone=PHONE, password="abc12345", sms_code=good,
                          now=NOW + timedelta(minutes=12))


def test_sign_in_by_id_number_or_phone(accounts: AccountStore, outbox: DevOutbox) -> None:
    account_id = new_account(accounts, outbox)
    assert accounts.authenticate(make_id(seq=1).lower(), "abc12345", None, NOW).account_id == account_id
    assert accounts.authenticate(PHONE, "abc12345", None, NOW).account_id == account_id
    for login, password in ((PHONE, "abc12346"), ("13900000000", "abc12345")):
        with pytest.raises(SignInError) as info:
            accounts.authenticate(login, password, None, NOW)
        assert info.value.code == "BAD_CREDENTIALS"


def test_totp_second_factor(accounts: AccountStore, outbox: DevOutbox) -> None:
    account_id = new_account(accounts, outbox)
    uri = accounts.totp_begin(account_id)
    secret = pyotp.parse_uri(uri).secret
    with pytest.raises(InvalidFieldError):
        accounts.totp_confirm(account_id, "000000" if pyotp.TOTP(secret).at(NOW) != "000000" else "111111", NOW)
    accounts.totp_confirm(account_id, pyotp.TOTP(secret).at(NOW), NOW)
    with pytest.raises(SignInError) as info:
        accounts.authenticate(PHONE, "abc12345", None, NOW)
    assert info.value.code == "TOTP_REQUIRED"
    later = NOW + timedelta(seconds=60)
    assert accounts.authenticate(PHONE, "abc12345", pyotp.TOTP(secret).at(later), later).account_id == account_id
    with pytest.raises(SignInError):  # the same code again is refused
        accounts.authenticate(PHONE, "abc12345", pyotp.TOTP(secret).at(later), later)
    with pytest.raises(SignInError) as wrong:  # a wrong password never reveals that 2FA is on
        accounts.authenticate(PHONE, "nope12345", None, later)
    assert wrong.value.code == "BAD_CREDENTIALS"
    accounts.totp_disable(account_id, "abc12345")
    assert accounts.authenticate(PHONE, "abc12345", None, later).totp_enabled is False


def test_sessions_expire_when_idle_or_old(accounts: AccountStore, outbox: DevOutbox) -> None:
    account_id = new_account(accounts, outbox)
    token = accounts.open_session(account_id, NOW)
    session = accounts.session(token, NOW + SESSION_IDLE - timedelta(seconds=1))
    assert session is not None and session.account.account_id == account_id
    assert accounts.session(token, NOW + 2 * SESSION_IDLE) is None
    token = accounts.open_session(account_id, NOW)
    t = NOW
    while t < NOW + SESSION_MAX - timedelta(minutes=20):
        t += timedelta(minutes=20)
        assert accounts.session(token, t) is not None
    assert accounts.session(token, NOW + SESSION_MAX + timedelta(minutes=1)) is None
    assert accounts.session("not-a-token", NOW) is None


def test_password_reset_ends_every_session(accounts: AccountStore, outbox: DevOutbox) -> None:
    account_id = new_account(accounts, outbox)
    token = accounts.open_session(account_id, NOW)
    accounts.send_code(PHONE, "reset", NOW)
    with pytest.raises(InvalidFieldError):
        accounts.reset_password(login=PHONE, sms_code=code(outbox), password="weak", now=NOW)
    accounts.reset_password(login=make_id(seq=1), sms_code=code(outbox), password="newpass123", now=NOW)
    assert accounts.session(token, NOW) is None
    assert accounts.authenticate(PHONE, "newpass123", None, NOW).account_id == account_id
    with pytest.raises(SignInError):
        accounts.authenticate(PHONE, "abc12345", None, NOW)
