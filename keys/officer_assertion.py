"""The officer assertion: the issuer vouches, for a minute, that a named officer just signed in.

The handheld scanner is served by the verifier, which must not read the issuer's
officer accounts. So the verifier forwards an officer's sign-in (name, password,
one-time code) to the issuer (``POST /v1/officers/assertion``); the issuer checks
it and answers with this short statement signed by its permit key, which the
verifier checks with the key set it already holds, exactly as it checks a status
list. The verifier then opens its own handheld session in the officer's name.

Text form: ``base64url(JSON) "." base64url(signature)``. The signature is Ed25519
by key ``kid`` over ``"officer-assertion/1\\n"`` followed by the JSON bytes as sent,
so it can never be mistaken for a status list or a permit code (each signed
message starts with its own format line or version byte).

JSON: ``{"format", "kid", "iat", "exp", "sub", "name", "role", "station",
"district", "aud"}``: ``sub`` the account name, ``name`` the display name,
``aud`` the audience (``"scanner"``). ``exp - iat`` is at most MAX_LIFETIME_S.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass

from .keypair import SigningKey, verify_signature
from .keyset import KeySet, b64u, unb64u

__all__ = ["AUDIENCE", "FORMAT", "AssertionInvalid", "OfficerAssertion", "sign_assertion", "verify_assertion"]

FORMAT = "officer-assertion/1"
AUDIENCE = "scanner"
MAX_LIFETIME_S = 120
MAX_TEXT = 4096
_CLOCK_SKEW_S = 30


class AssertionInvalid(ValueError):
    """The assertion is malformed, badly signed, for someone else, or out of its time."""


@dataclass(frozen=True)
class OfficerAssertion:
    username: str
    display_name: str
    role: str
    station: str
    district_code: int
    issued_at: int
    expires_at: int


def _signing_input(payload: bytes) -> bytes:
    return FORMAT.encode() + b"\n" + payload


def sign_assertion(signer: SigningKey, officer: OfficerAssertion) -> str:
    payload = json.dumps({
        "format": FORMAT, "kid": signer.kid.hex(), "iat": officer.issued_at, "exp": officer.expires_at,
        "sub": officer.username, "name": officer.display_name, "role": officer.role, "station": officer.station,
        "district": officer.district_code, "aud": AUDIENCE,
    }, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    return b64u(payload) + "." + b64u(signer.sign(_signing_input(payload)))


def verify_assertion(text: str, keyset: KeySet, now: float) -> OfficerAssertion:
    """The officer named by a valid assertion; AssertionInvalid for anything else."""
    if not isinstance(text, str) or len(text) > MAX_TEXT or text.count(".") != 1:
        raise AssertionInvalid("malformed assertion")
    head, _, sig = text.partition(".")
    try:
        payload, signature = unb64u(head), unb64u(sig)
        doc = json.loads(payload)
        key = keyset.get(bytes.fromhex(doc["kid"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise AssertionInvalid("malformed assertion") from None
    if key is None or not key.valid_at(now):
        raise AssertionInvalid("assertion signed by an unknown or expired key")
    if not verify_signature(key.public_key, signature, _signing_input(payload)):
        raise AssertionInvalid("bad assertion signature")
    try:
        if doc["format"] != FORMAT or doc["aud"] != AUDIENCE:
            raise AssertionInvalid("not a scanner assertion")
        iat, exp = doc["iat"], doc["exp"]
        fields = (doc["sub"], doc["name"], doc["role"], doc["station"])
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (iat, exp, doc["district"])):
            raise AssertionInvalid("malformed assertion")
        if not all(isinstance(v, str) and 0 < len(v) <= 64 for v in fields):
            raise AssertionInvalid("malformed assertion")
    except KeyError:
        raise AssertionInvalid("malformed assertion") from None
    if exp - iat > MAX_LIFETIME_S or not iat - _CLOCK_SKEW_S <= now <= exp:
        raise AssertionInvalid("assertion expired or not yet valid")
    return OfficerAssertion(fields[0], fields[1], fields[2], fields[3], int(doc["district"]), int(iat), int(exp))
