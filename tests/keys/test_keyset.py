import json

import pytest
from hypothesis import given, strategies as st

from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet, KeySetError, b64u


def _doc() -> dict:
    key = SigningKey(bytes(32))
    return KeySet([KeyInfo(key.kid, key.public_key, 10, 20)], 5).to_json()


def test_round_trip() -> None:
    doc = _doc()
    assert KeySet.loads(json.dumps(doc)).to_json() == doc


def test_kid_must_match_its_public_key() -> None:
    doc = _doc()
    doc["keys"][0]["public_key"] = b64u(SigningKey(bytes([1]) * 32).public_key)
    with pytest.raises(KeySetError, match="does not match"):
        KeySet.loads(doc)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(format="x"),
        lambda d: d.update(keys="nope"),
        lambda d: d["keys"][0].update(alg="RS256"),
        lambda d: d["keys"][0].update(kid="zz"),
        lambda d: d["keys"][0].update(not_after="soon"),
        lambda d: d["keys"][0].update(status="maybe"),
        lambda d: d["keys"].append(d["keys"][0]),
    ],
)
def test_bad_documents_are_refused_with_key_set_error(mutate) -> None:  # type: ignore[no-untyped-def]
    doc = _doc()
    mutate(doc)
    with pytest.raises(KeySetError):
        KeySet.loads(doc)


@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_hostile_bytes_only_raise_key_set_error(data) -> None:  # type: ignore[no-untyped-def]
    try:
        KeySet.loads(data)
    except KeySetError:
        pass


def test_revoked_and_out_of_window_keys_are_not_valid() -> None:
    info = KeyInfo(b"\0" * 8, b"\0" * 32, 10, 20)
    assert info.valid_at(10) and info.valid_at(20)
    assert not info.valid_at(9) and not info.valid_at(21)
    assert not KeyInfo(b"\0" * 8, b"\0" * 32, 10, 20, "revoked").valid_at(15)
