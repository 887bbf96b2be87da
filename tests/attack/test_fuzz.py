"""Fuzzing the decoders and check_signed with hypothesis (the CI share of the campaign's fuzz run).

``bash scripts/campaign fuzz`` runs the long version (a million inputs and more).
Whatever comes in, the decoders raise only their own errors and check_signed
only CredentialError; nothing but a genuine code is ever accepted.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from keys.base45 import Base45Error, b45decode, b45encode
from keys.errors import CredentialError
from keys.wire import PREFIX, decode_claims, unverified_split
from verifier.core import Options, check_signed

from tests.verifier.world import NOW, ROTATION_SECRET, World

WORLD = World()
OPTIONS = Options(rotation_secret=ROTATION_SECRET)
GENUINE = [WORLD.minted(), WORLD.offline(), WORLD.paper()]
RAW = [b45decode(c[len(PREFIX):]) for c in GENUINE]
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=200))
def test_base45_decodes_or_refuses(text: str) -> None:
    try:
        data = b45decode(text)
    except Base45Error:
        return
    assert b45encode(data) == text  # canonical: one text per payload


@FUZZ
@given(st.binary(min_size=8, max_size=40))
def test_decode_claims_raises_only_credential_errors(claims: bytes) -> None:
    """Any claim bytes of a length the split lets through (8 fixed bytes and a name)."""
    try:
        decode_claims(claims, 0)
    except CredentialError:
        pass


@FUZZ
@given(st.sampled_from(range(3)), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=6))
def test_check_signed_on_mutations(which: int, edits: list[tuple[int, int]]) -> None:
    payload = bytearray(RAW[which])
    for position, value in edits:
        payload[position % len(payload)] = value
    text = PREFIX + b45encode(bytes(payload))
    try:
        check_signed(text, NOW, WORLD.keyset, OPTIONS)
    except CredentialError:
        return
    trailer_only = which == 1 and all(p % len(payload) >= len(payload) - 5 for p, _ in edits)
    assert bytes(payload) == RAW[which] or trailer_only, "a mutated code passed check_signed"


@FUZZ
@given(st.text(max_size=300))
def test_split_and_check_any_text(text: str) -> None:
    for step in (unverified_split, lambda t: check_signed(t, NOW, WORLD.keyset, OPTIONS)):
        try:
            step(text)
        except CredentialError:
            pass
