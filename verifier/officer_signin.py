"""Handheld sign-in with an officer account, checked by the issuer without importing it.

The officer types their account name, password and one-time code into the
scanner. The verifier forwards them to ``{ISSUER_URL}/v1/officers/assertion``; a
good sign-in comes back as a minute-long officer assertion signed with the
issuer's permit key (keys.officer_assertion), which is checked here against the
key set the verifier already syncs. The session then bears the officer's name
(``officer:<account>``) in every audit record of the scans they make, and the
scanner shows the display name. The password is never stored or logged here.

Disabling an officer ends their console sessions at once, and their handheld
sessions at the verifier's next sync: the issuer signs a list of disabled
accounts that the verifier fetches with the status list (verifier.officer_list),
rather than being asked again on every scan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from keys.keyset import KeySet
from keys.officer_assertion import AssertionInvalid, OfficerAssertion, verify_assertion

__all__ = ["OFFICER_PREFIX", "OfficerSignInFailed", "officer_sign_in"]

log = logging.getLogger("verifier.officers")

OFFICER_PREFIX = "officer:"
TIMEOUT_S = 5.0
MAX_REPLY = 16 * 1024


@dataclass(frozen=True)
class OfficerSignInFailed(Exception):
    """``code`` is a verifier error code; ``issuer_message`` the issuer's own words, if any."""

    code: str
    issuer_message: dict[str, str] | None = None


async def officer_sign_in(http: httpx.AsyncClient, issuer_url: str, keyset: KeySet, now: float, *,
                          username: str, password: str, otp: str) -> OfficerAssertion:
    """The issuer's assertion for this sign-in, checked; OfficerSignInFailed otherwise."""
    url = issuer_url.rstrip("/") + "/v1/officers/assertion"
    try:
        reply = await http.post(url, json={"username": username, "password": password, "otp": otp},
                                timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        log.warning("issuer unreachable for an officer sign-in: %s", type(exc).__name__)
        raise OfficerSignInFailed("ISSUER_UNREACHABLE") from None
    try:
        body = reply.json() if len(reply.content) <= MAX_REPLY else None
    except ValueError:
        body = None
    if reply.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("assertion"), str):
        message = body.get("message") if isinstance(body, dict) else None
        code = "OFFICER_SIGN_IN_FAILED" if reply.status_code in (400, 401, 403) else "ISSUER_UNREACHABLE"
        raise OfficerSignInFailed(code, message if isinstance(message, dict) else None)
    try:
        officer = verify_assertion(body["assertion"], keyset, now)
    except AssertionInvalid as exc:
        log.warning("officer assertion refused: %s", exc)
        raise OfficerSignInFailed("OFFICER_SIGN_IN_FAILED") from None
    if officer.username != username.strip().lower():
        raise OfficerSignInFailed("OFFICER_SIGN_IN_FAILED")
    return officer
