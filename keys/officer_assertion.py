"""The officer assertion: the issuer vouches, for a minute, that a named officer just signed in.

The handheld scanner is served by the verifier, which must not read the issuer's
officer accounts. So the verifier forwards an officer's sign-in (name, password,
one-time code) to the issuer (``POST /v1/officers/assertion``); the issuer checks
it and answers with this short statement signed by its permit key, which the
verifier checks with the key set it already holds, exactly as it checks a status
list. The verifier then opens its own handheld session in the officer's name.

Text form: keys.signed_text (``base64url(JSON) "." base64url(signature)``, the
signature over the format line ``officer-assertion/1`` and the JSON bytes as sent).

JSON: ``{"format", "kid", "iat", "exp", "sub", "name", "role", "station",
"district", "aud"}``: ``sub`` the account name, ``name`` the display name,
``aud`` the audience (``"scanner"``). ``exp - iat`` is at most MAX_LIFETIME_S.
"""

from __future__ import annotations

from dataclasses import dataclass

from .keypair import SigningKey
from .keyset import KeySet
from .signed_text import SignedTextInvalid, open_signed_text, sign_text

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


def sign_assertion(signer: SigningKey, officer: OfficerAssertion) -> str:
    return sign_text(signer, FORMAT, {
        "iat": officer.issued_at, "exp": officer.expires_at, "sub": officer.username,
        "name": officer.display_name, "role": officer.role, "station": officer.station,
        "district": officer.district_code, "aud": AUDIENCE,
    })


def verify_assertion(text: str, keyset: KeySet, now: float) -> OfficerAssertion:
    """The officer named by a valid assertion; AssertionInvalid for anything else."""
    try:
        doc = open_signed_text(text, FORMAT, keyset, now, max_len=MAX_TEXT)
    except SignedTextInvalid as exc:
        raise AssertionInvalid(f"assertion: {exc}") from None
    try:
        if doc["aud"] != AUDIENCE:
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
