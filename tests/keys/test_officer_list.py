"""The signed list of disabled officer accounts: what verifies, and that nothing else does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet, b64u, unb64u
from keys.officer_list import OfficerListInvalid, officer_digest, sign_officer_list, verify_officer_list

NOW = 1_795_399_200
KEY = SigningKey(bytes([3]) * 32)
KEYSET = KeySet([KeyInfo(KEY.kid, KEY.public_key, NOW - 10, NOW + 10_000)])


def test_a_signed_list_names_its_officers_by_digest() -> None:
    text = sign_officer_list(KEY, ["officer:wang.li", "officer:wang.li", "officer:zhao"], issued_at=NOW, ttl=60)
    found = verify_officer_list(text, KEYSET, NOW)
    assert found.disabled("officer:wang.li") and found.disabled("officer:zhao") and not found.disabled("officer:li")
    assert found.digests == {officer_digest("officer:wang.li"), officer_digest("officer:zhao")}
    assert "wang.li" not in unb64u(text.split(".")[0]).decode()
    assert (found.issued_at, found.ttl) == (NOW, 60)


def test_a_changed_list_another_key_or_a_future_list_is_refused() -> None:
    text = sign_officer_list(KEY, ["officer:wang.li"], issued_at=NOW, ttl=60)
    head, sig = text.split(".")
    emptied = unb64u(head).replace(officer_digest("officer:wang.li").encode(), b"0" * 64)
    with pytest.raises(OfficerListInvalid):
        verify_officer_list(b64u(emptied) + "." + sig, KEYSET, NOW)
    other = sign_officer_list(SigningKey(bytes([4]) * 32), [], issued_at=NOW, ttl=60)
    with pytest.raises(OfficerListInvalid):
        verify_officer_list(other, KEYSET, NOW)
    with pytest.raises(OfficerListInvalid):
        verify_officer_list(sign_officer_list(KEY, [], issued_at=NOW + 3600, ttl=60), KEYSET, NOW)


@given(st.one_of(st.none(), st.integers(), st.text(max_size=300), st.binary(max_size=300).map(b64u)))
def test_anything_else_is_refused_with_one_error(text: object) -> None:
    for candidate in (text, f"{text}.{text}"):
        with pytest.raises(OfficerListInvalid):
            verify_officer_list(candidate, KEYSET, NOW)
