"""The bench's profile sorting: each sampled stack is filed under the innermost part it passes through."""

from __future__ import annotations

from benchmarks.profile import OTHER, parse_raw, part_of

LOOP = "run (uvicorn/server.py:60);run_until_complete (asyncio/base_events.py:650)"


def test_the_innermost_known_frame_decides() -> None:
    signature = f"{LOOP};verify (verifier/service.py:120);verify (verifier/core.py:300);" \
                "crypto_sign_open (nacl/bindings/crypto_sign.py:80)"
    assert part_of(signature).startswith("Ed25519 signature")
    rendering = f"{LOOP};verdict_text (verifier/disclosure.py:90);encode (json/encoder.py:200)"
    assert part_of(rendering).startswith("JSON")
    assert part_of(f"{LOOP};verdict_text (verifier/disclosure.py:90)").startswith("verdict rendering")
    parsing = f"{LOOP};data_received (uvicorn/protocols/http/httptools_impl.py:100)"
    assert part_of(parsing).startswith("HTTP server")
    assert part_of("<module> (site.py:1)") == OTHER


def test_raw_output_is_summed_per_part_and_junk_lines_are_skipped() -> None:
    raw = "\n".join([
        f"{LOOP};crypto_sign_open (nacl/bindings/crypto_sign.py:80) 30",
        f"{LOOP};crypto_sign_open (nacl/bindings/crypto_sign.py:81) 12",
        f"{LOOP};b45decode (keys/base45.py:40) 8",
        "garbage",
        "",
    ])
    parts = parse_raw(raw)
    assert sum(parts.values()) == 50
    assert parts.most_common(1)[0] == ("Ed25519 signature (libsodium via PyNaCl)", 42)
