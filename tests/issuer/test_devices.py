from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest

from issuer.errors import (
    EnrolmentInvalidError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
)
from issuer.lifecycle import Lifecycle
from issuer.model import Credential
from keys.vocabulary import PermitType
from issuer.registry import Registry
from tests.issuer.clock import CLERK, NOW
from tests.issuer.idgen import make_id


@pytest.fixture
def registry(registry_any: Registry) -> Registry:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return registry_any


@pytest.fixture
def cred(lifecycle: Lifecycle) -> Credential:
    return lifecycle.issue(PermitType.RESIDENCE_PERMIT, "李华", make_id(), "北京市海淀区1号",
                           "海淀区", date(2026, 11, 23), 1, actor=CLERK, now=NOW)


def test_code_enrols_one_device_once(registry: Registry, cred: Credential) -> None:
    code = registry.devices.create_enrolment(cred.cred_id, NOW)
    assert len(code) == 9 and code[4] == "-"
    token = registry.devices.enrol_device(code.lower().replace("-", " "), "iPhone", NOW)
    device = registry.devices.device_for_token(token)
    assert device is not None
    assert device.cred_id == cred.cred_id and device.label == "iPhone" and device.active
    with pytest.raises(EnrolmentInvalidError):
        registry.devices.enrol_device(code, "second phone", NOW)
    assert len(registry.devices.list_devices(cred.cred_id)) == 1


def test_code_expires_after_fifteen_minutes(registry: Registry, cred: Credential) -> None:
    code = registry.devices.create_enrolment(cred.cred_id, NOW)
    with pytest.raises(EnrolmentInvalidError):
        registry.devices.enrol_device(code, "phone", NOW + timedelta(minutes=15))
    # Still unused, but expiry is final.
    with pytest.raises(EnrolmentInvalidError):
        registry.devices.enrol_device(code, "phone", NOW + timedelta(minutes=16))


def test_code_works_just_before_expiry(registry: Registry, cred: Credential) -> None:
    code = registry.devices.create_enrolment(cred.cred_id, NOW, ttl=timedelta(minutes=5))
    registry.devices.enrol_device(code, "phone", NOW + timedelta(minutes=4, seconds=59))


def test_new_code_cancels_the_previous_one(registry: Registry, cred: Credential) -> None:
    first = registry.devices.create_enrolment(cred.cred_id, NOW)
    second = registry.devices.create_enrolment(cred.cred_id, NOW)
    with pytest.raises(EnrolmentInvalidError):
        registry.devices.enrol_device(first, "phone", NOW)
    registry.devices.enrol_device(second, "phone", NOW)


def test_only_hashes_are_stored(registry: Registry, cred: Credential) -> None:
    code = registry.devices.create_enrolment(cred.cred_id, NOW)
    token = registry.devices.enrol_device(code, "phone", NOW)
    conn = registry.connection
    dump = "\n".join(
        str(row) for table in ("enrolments", "devices", "audit_log")
        for row in conn.execute(f"SELECT * FROM {table}")
    )
    assert token not in dump
    assert code.replace("-", "") not in dump and code not in dump
    stored = conn.execute("SELECT token_hash FROM devices").fetchone()[0]
    assert stored == hashlib.sha256(token.encode()).hexdigest()


def test_unknown_token_and_revoked_device(registry: Registry, cred: Credential) -> None:
    assert registry.devices.device_for_token("not-a-token") is None
    token = registry.devices.enrol_device(registry.devices.create_enrolment(cred.cred_id, NOW), "phone", NOW)
    device = registry.devices.device_for_token(token)
    assert device is not None
    revoked = registry.devices.revoke_device(device.device_id, NOW, actor=CLERK)
    assert revoked.revoked_at == NOW and not revoked.active
    assert registry.devices.device_for_token(token) is None
    with pytest.raises(InvalidStateError):
        registry.devices.revoke_device(device.device_id, NOW)
    with pytest.raises(NotFoundError):
        registry.devices.revoke_device(9999, NOW)
    assert [d.active for d in registry.devices.list_devices(cred.cred_id)] == [False]


def test_enrolment_refused_for_missing_or_revoked(
    registry: Registry, lifecycle: Lifecycle, cred: Credential
) -> None:
    with pytest.raises(NotFoundError):
        registry.devices.create_enrolment("0" * 16, NOW)
    code = registry.devices.create_enrolment(cred.cred_id, NOW)
    lifecycle.revoke(cred.cred_id, "lost", actor=CLERK, now=NOW)
    with pytest.raises(InvalidStateError):
        registry.devices.create_enrolment(cred.cred_id, NOW)
    with pytest.raises(InvalidStateError):
        registry.devices.enrol_device(code, "phone", NOW)


def test_revoking_a_credential_unenrols_its_phones(
    registry: Registry, lifecycle: Lifecycle, cred: Credential
) -> None:
    token = registry.devices.enrol_device(registry.devices.create_enrolment(cred.cred_id, NOW), "phone", NOW)
    lifecycle.revoke(cred.cred_id, "holder left Beijing", actor=CLERK, now=NOW)
    assert registry.devices.device_for_token(token) is None


def test_label_must_be_reasonable(registry: Registry, cred: Credential) -> None:
    code = registry.devices.create_enrolment(cred.cred_id, NOW)
    with pytest.raises(InvalidInputError):
        registry.devices.enrol_device(code, "  ", NOW)
    with pytest.raises(InvalidInputError):
        registry.devices.enrol_device(code, "x" * 65, NOW)
    registry.devices.enrol_device(code, "x" * 64, NOW)  # a refused label does not burn the code


def test_device_operations_are_audited(registry: Registry, cred: Credential) -> None:
    token = registry.devices.enrol_device(registry.devices.create_enrolment(cred.cred_id, NOW, actor=CLERK),
                                  "phone", NOW)
    device = registry.devices.device_for_token(token)
    assert device is not None
    registry.devices.revoke_device(device.device_id, NOW, actor=CLERK)
    ops = [e.operation for e in registry.audit_entries(cred.cred_id)]
    assert ops == ["issue", "visit.open", "enrolment.create", "device.enrol", "device.revoke"]
