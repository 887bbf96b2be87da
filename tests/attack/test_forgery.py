"""Forged, altered, downgraded, truncated and oversized codes: never VALID, never a 5xx."""

from __future__ import annotations

import os

from keys.base45 import b45decode, b45encode
from keys.keypair import SigningKey
from keys.wire import HEADER, MINTED_FIELDS, PREFIX, Mode, encode_claims, encode_minted

from tests.verifier.service_kit import CLAIMS, PERIOD

RAW_OFFSET = len(PREFIX)


def raw(text: str) -> bytes:
    return b45decode(text[RAW_OFFSET:])


def text_of(payload: bytes) -> str:
    return PREFIX + b45encode(payload)


def reasons(v, codes):  # type: ignore[no-untyped-def]
    out = []
    for i in range(0, len(codes), 500):
        response = v.batch(codes[i : i + 500])
        assert response.status_code == 200
        out += [r["reason"] for r in response.json()["results"]]
    return out


def test_forged_signatures(make_verifier, issuer, clock):
    v = make_verifier()
    genuine = raw(issuer.minted())
    forged = [text_of(genuine[:-64] + os.urandom(64)) for _ in range(200)]
    assert set(reasons(v, forged)) == {"BAD_SIGNATURE"}


def test_another_issuers_key(make_verifier, issuer, clock):
    v = make_verifier()
    attacker = SigningKey(bytes([0xEE]) * 32)
    step = int(clock() // PERIOD)
    own_kid = encode_minted(attacker, CLAIMS, step=step, period=PERIOD, nonce=b"abc")
    assert v.verify(own_kid).json()["reason"] == "UNKNOWN_KEY"
    # The issuer's kid in the header, the attacker's signature: the kid is not a credential.
    body = HEADER.pack(1, Mode.MINTED, issuer.key.kid) + MINTED_FIELDS.pack(PERIOD, step, b"abc")
    body += encode_claims(CLAIMS._replace(name="李四"), Mode.MINTED)
    assert v.verify(text_of(body + attacker.sign(body))).json()["reason"] == "BAD_SIGNATURE"


def test_every_single_bit_altered(make_verifier, issuer, clock):
    v = make_verifier()
    for code in (issuer.minted(), issuer.offline(), issuer.paper()):
        payload = raw(code)
        altered = []
        for position in range(len(payload)):
            for bit in (0, 3, 7):
                changed = bytearray(payload)
                changed[position] ^= 1 << bit
                altered.append(text_of(bytes(changed)))
        got = reasons(v, altered)
        if payload[1] == Mode.PASS:
            # The TOTP trailer (last 5 bytes) is not signed: altering it gives a wrong code or another step.
            signed_part = got[: -5 * 3]
            assert set(got[-5 * 3 :]) <= {"BAD_TOTP", "STALE", "NOT_YET_VALID"}
        else:
            signed_part = got
        assert "VALID" not in signed_part, "an altered signed byte was accepted"


def test_version_downgrade_and_unknown_versions(make_verifier, issuer):
    v = make_verifier()
    payload = raw(issuer.minted())
    for version in (0, 3, 255):
        assert v.verify(text_of(bytes([version]) + payload[1:])).json()["reason"] == "UNSUPPORTED_VERSION"
    # the version byte is signed: a v2 code read as v1 is refused, never accepted under the other layout
    assert payload[0] == 2
    assert v.verify(text_of(bytes([1]) + payload[1:])).json()["reason"] == "BAD_SIGNATURE"


def test_truncation_and_oversize(make_verifier, issuer):
    v = make_verifier()
    for code in (issuer.minted(), issuer.offline(), issuer.paper()):
        payload = raw(code)
        cut = [text_of(payload[:n]) for n in range(len(payload))] + [code[:n] for n in range(len(code))]
        assert "VALID" not in reasons(v, cut)
        grown = [text_of(payload + os.urandom(n)) for n in (1, 5, 40, 400)]
        assert "VALID" not in reasons(v, grown)
    huge = v.verify("RP:" + "0" * 100_000)
    assert huge.status_code == 200 and huge.json()["reason"] == "MALFORMED"
    body = v.client.post("/v1/verify", content=b'{"code": "' + b"A" * 400_000 + b'"}',
                         headers={"Authorization": "Bearer vk_official-test-key-0123456789abcdefghijklmnop",
                                  "content-type": "application/json"})
    assert body.status_code == 413


def test_hostile_json_bodies(make_verifier):
    v = make_verifier()
    headers = {"Authorization": "Bearer vk_official-test-key-0123456789abcdefghijklmnop",
               "content-type": "application/json"}
    for body in (b"", b"{", b"[]", b"null", b'{"code": 5}', b'{"code": null}', b'{"code": ["RP:"]}',
                 b'{"codes": "RP:"}', b"\xff\xfe", b'{"code": "\\ud800"}', b"[" * 10_000):
        for path in ("/v1/verify", "/v1/verify/batch"):
            response = v.client.post(path, content=body, headers=headers)
            if response.status_code == 200:  # a string after all (a lone surrogate): a refused code
                assert response.json()["reason"] == "MALFORMED", body
            else:
                assert 400 <= response.status_code < 500, (path, body[:20], response.status_code)
