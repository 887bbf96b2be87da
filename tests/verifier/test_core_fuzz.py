"""Hostile input: nothing but a refusal verdict may come out, whatever goes in.

``check_signed`` is driven directly: it may only return or raise a
CredentialError, so a crash (an internal error the pipeline would answer as
INTERNAL_ERROR) fails these tests instead of hiding behind a verdict.
"""

from hypothesis import HealthCheck, given, settings, strategies as st

from keys.base45 import b45decode, b45encode
from keys.wire import PREFIX, unverified_split
from keys.errors import CredentialError
from keys.vocabulary import MODE_NAMES
from verifier.core import check_signed, verify, verify_batch

from .world import NOW, World

WORLD = World()
CODES = [WORLD.minted(), WORLD.offline(), WORLD.paper()]
PAPER = CODES[2]
RAW = [b45decode(c[len(PREFIX) :]) for c in CODES]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _refused(text: str) -> None:
    world = World(key=WORLD.key)
    try:
        check_signed(text, NOW, world.keyset, world.options)
    except CredentialError:
        pass
    verdict = verify(text, NOW, world.keyset, world.status, world.replay, world.options)
    assert not verdict.valid
    assert verdict.reason not in ("VALID", "INTERNAL_ERROR")


@FUZZ
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    _refused(text)


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_behind_the_prefix(data: bytes) -> None:
    _refused(PREFIX + b45encode(data))


@FUZZ
@given(st.sampled_from(range(len(RAW))), st.data())
def test_truncations_of_valid_codes(which: int, data: st.DataObject) -> None:
    raw = RAW[which]
    cut = data.draw(st.integers(0, len(raw) - 1))
    _refused(PREFIX + b45encode(raw[:cut]))


@FUZZ
@given(st.sampled_from(range(len(RAW))), st.data())
def test_bit_flips_of_valid_codes(which: int, data: st.DataObject) -> None:
    raw = bytearray(RAW[which])
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= 1 << data.draw(st.integers(0, 7))
    _refused(PREFIX + b45encode(bytes(raw)))


@FUZZ
@given(st.sampled_from(range(len(RAW))), st.binary(min_size=1, max_size=20))
def test_appended_bytes(which: int, extra: bytes) -> None:
    _refused(PREFIX + b45encode(RAW[which] + extra))


@FUZZ
@given(st.text(max_size=200))
def test_split_raises_only_credential_errors(text: str) -> None:
    try:
        parts = unverified_split(text)
    except CredentialError:
        return
    assert parts.mode in MODE_NAMES and len(parts.signature) == 64


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=60), st.sampled_from(CODES)), max_size=8))
def test_batches_never_raise(texts: list[str]) -> None:
    world = World(key=WORLD.key)
    verdicts = verify_batch(texts, NOW, world.keyset, world.status, world.replay, world.options)
    assert len(verdicts) == len(texts)
    seen: set[str] = set()
    for text, verdict in zip(texts, verdicts):
        if text == PAPER:
            assert verdict.reason == "VALID"  # a slip may be shown again
        elif text in CODES:
            assert verdict.reason == ("REPLAYED" if text in seen else "VALID")
            seen.add(text)
        else:
            assert not verdict.valid and verdict.reason != "INTERNAL_ERROR"
