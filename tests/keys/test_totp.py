import base64

import pyotp
import pytest
from hypothesis import given, strategies as st

from keys.totp import code_at, code_matches, pass_secret


def test_rfc6238_sha1_vector() -> None:
    # RFC 6238 appendix B, SHA-1, T = 59 s with a 30 s step, truncated to six digits.
    secret = b"12345678901234567890"
    assert code_at(secret, 59 // 30) == 287082
    assert code_matches(secret, 59 // 30, 287082)


@given(st.binary(min_size=20, max_size=20), st.integers(0, 2**40))
def test_fast_check_agrees_with_pyotp(secret: bytes, step: int) -> None:
    expected = int(pyotp.OTP(base64.b32encode(secret).decode()).generate_otp(step))
    assert code_matches(secret, step, expected)
    assert not code_matches(secret, step, (expected + 1) % 1_000_000)


def test_pass_secret_is_per_pass_and_needs_a_real_rotation_secret() -> None:
    rotation = bytes(range(32))
    assert pass_secret(rotation, b"A" * 8) != pass_secret(rotation, b"B" * 8)
    assert pass_secret(rotation, b"A" * 8) == pass_secret(bytes(range(32)), b"A" * 8)
    assert len(pass_secret(rotation, b"A" * 8)) == 20
    with pytest.raises(ValueError):
        pass_secret(b"short", b"A" * 8)
