"""Password policy and the production argon2id parameters."""

from __future__ import annotations

from argon2 import PasswordHasher

from issuer.apply import passwords


def test_policy() -> None:
    assert passwords.password_problem("abc12345") is None
    assert passwords.password_problem("abc1234") is not None
    assert passwords.password_problem("abcdefgh") is not None
    assert passwords.password_problem("12345678") is not None
    assert passwords.password_problem("a1" * 65) is not None


def test_hashes_are_argon2id_and_verify() -> None:
    stored = passwords.hash_password("abc12345")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "abc12345")[0]
    assert not passwords.verify_password(stored, "abc12346")[0]
    assert passwords.verify_password("garbage", "abc12345") == (False, False)


def test_production_parameters_and_rehash_when_raised() -> None:
    production = PasswordHasher()
    assert production.memory_cost >= 64 * 1024 and production.time_cost >= 3
    assert passwords.DUMMY_HASH.startswith("$argon2id$v=19$m=65536,t=3")
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("abc12345")
    assert production.check_needs_rehash(weak)
