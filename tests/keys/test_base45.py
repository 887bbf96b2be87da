import pytest
from hypothesis import given, strategies as st

from keys.base45 import ALPHABET, Base45Error, b45decode, b45encode


def reference_decode(text: str) -> bytes:
    """The RFC 9285 algorithm written plainly, to check the fast decoder against."""
    values = [ALPHABET.index(c) for c in text]
    if len(values) % 3 == 1:
        raise Base45Error("length")
    out = bytearray()
    for i in range(0, len(values) - len(values) % 3, 3):
        n = values[i] + 45 * values[i + 1] + 2025 * values[i + 2]
        if n > 0xFFFF:
            raise Base45Error("group")
        out += n.to_bytes(2, "big")
    if len(values) % 3 == 2:
        n = values[-2] + 45 * values[-1]
        if n > 0xFF:
            raise Base45Error("tail")
        out.append(n)
    return bytes(out)


@pytest.mark.parametrize(
    "raw, text",
    [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"ietf!", "QED8WEX0"), (b"", "")],
)
def test_rfc9285_examples(raw: bytes, text: str) -> None:
    assert b45encode(raw) == text
    assert b45decode(text) == raw


@given(st.binary(max_size=300))
def test_round_trip(data: bytes) -> None:
    assert b45decode(b45encode(data)) == data


@given(st.text(alphabet=ALPHABET, max_size=40))
def test_fast_decoder_agrees_with_reference(text: str) -> None:
    try:
        expected: bytes | None = reference_decode(text)
    except Base45Error:
        expected = None
    try:
        got: bytes | None = b45decode(text)
    except Base45Error:
        got = None
    assert got == expected


@given(st.text(max_size=40))
def test_any_text_decodes_or_raises_base45_error(text: str) -> None:
    try:
        b45decode(text)
    except Base45Error:
        pass


@pytest.mark.parametrize("text", ["GGW", ":::", "A", "FGW1", "ab", "é12", "QED8WEX0\n"])
def test_rejects_non_canonical_and_foreign_text(text: str) -> None:
    with pytest.raises(Base45Error):
        b45decode(text)
