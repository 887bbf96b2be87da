"""Fixtures for the application records: a registry file, its store, and an applicant."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from issuer.applications.appointments import Bookings
from issuer.applications.model import ApplicationKind, EvidenceKind, ProofBasis
from issuer.applications.store import ApplicationStore
from issuer.lifecycle import Lifecycle
from keys.timekeeping import BEIJING
from issuer.registry import Registry
from issuer.sms import DevOutbox
from tests.issuer.idgen import make_id

#: Monday 2026-11-23, 10:00 in Beijing (the issuer tests' day).
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING)
APPLICANT = "applicant:test"
CLERK = "officer:clerk-wang"
REVIEWER = "officer:reviewer-li"


@pytest.fixture(params=["sqlite", "postgresql"])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Registry]:
    """The registry on each backend: a SQLite file, and a fresh PostgreSQL database."""
    target = str(tmp_path / "registry.sqlite3") if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    reg = Registry(target, rng=random.Random(5))
    yield reg
    reg.close()


@pytest.fixture
def outbox() -> DevOutbox:
    return DevOutbox()


@pytest.fixture
def store(registry: Registry, outbox: DevOutbox) -> ApplicationStore:
    return ApplicationStore(registry, sms=outbox)


@pytest.fixture
def bookings(store: ApplicationStore) -> Bookings:
    return Bookings(store)


@pytest.fixture
def lifecycle(registry: Registry) -> Lifecycle:
    return Lifecycle(registry)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


def submitted_permit(store: ApplicationStore, *, seq: int = 1, now: datetime = NOW,
                     district: int = 6, account: str = "acct-1") -> str:
    """A residence-permit application with tax proof, submitted; returns its app_id."""
    app = store.create(kind=ApplicationKind.RESIDENCE_PERMIT, holder_name="王芳", id_number=make_id(seq=seq),
                       phone="13800000000", account_id=account, actor=APPLICANT, now=now)
    store.update(app.app_id, actor=APPLICANT, now=now, district_code=district, address="北京市海淀区学院路30号1单元",
                 residence_since=date(2025, 1, 1), proof_basis=ProofBasis.TAX.value,
                 proof_from="2025-12", proof_to="2026-10")
    attach(store, app.app_id, EvidenceKind.TAX, now)
    store.preview(app.app_id, actor=APPLICANT, now=now)
    store.submit(app.app_id, actor=APPLICANT, now=now)
    return app.app_id


def attach(store: ApplicationStore, app_id: str, kind: EvidenceKind, now: datetime) -> None:
    """Record an evidence row directly (the files themselves are tested with the upload)."""
    store.sql.run(
        "INSERT INTO evidence (evidence_id, app_id, kind, content_type, size, sha256, original_name, "
        "uploaded_at, uploaded_by) VALUES (?, ?, ?, 'application/pdf', 10, 'x', 'tax.pdf', ?, ?)",
        (f"ev-{app_id}-{kind.value}", app_id, kind.value, now.isoformat(), APPLICANT))


from tests.issuer.app_helpers import app, client, clock, issuer_keys  # noqa: E402,F401  (the HTTP fixtures)


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with small parameters: the same algorithm and code path, a fraction of the time
    (test_passwords checks the production parameters)."""
    from argon2 import PasswordHasher

    from issuer.apply import passwords

    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
