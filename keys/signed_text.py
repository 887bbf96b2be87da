"""Small signed statements of the issuer as text: ``base64url(JSON) "." base64url(signature)``.

The officer assertion and the list of disabled officers (and any later statement
of the kind) share this form: Ed25519 by the issuer's permit key ``kid`` over the
statement's own format line, a newline, then the JSON bytes exactly as sent, so
no signed message of one kind can be taken for another (each starts with its own
format line; permit codes start with a version byte, status lists with theirs).
Checking the JSON's fields is the statement's own business.
"""

from __future__ import annotations

import binascii
import json
from typing import Any

from .keypair import SigningKey, verify_signature
from .keyset import KeySet, b64u, unb64u

__all__ = ["SignedTextInvalid", "open_signed_text", "sign_text"]


class SignedTextInvalid(ValueError):
    """The text is malformed, too long, signed by a key not held or not valid now, or badly signed."""


def _signing_input(fmt: str, payload: bytes) -> bytes:
    return fmt.encode() + b"\n" + payload


def sign_text(signer: SigningKey, fmt: str, fields: dict[str, Any]) -> str:
    """The text form of ``fields`` with ``format`` and ``kid`` added."""
    payload = json.dumps({**fields, "format": fmt, "kid": signer.kid.hex()},
                         ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    return b64u(payload) + "." + b64u(signer.sign(_signing_input(fmt, payload)))


def open_signed_text(text: object, fmt: str, keyset: KeySet, now: float, *, max_len: int) -> dict[str, Any]:
    """The JSON object of a valid text of format ``fmt``; SignedTextInvalid for anything else."""
    if not isinstance(text, str) or len(text) > max_len or text.count(".") != 1:
        raise SignedTextInvalid("malformed")
    head, _, sig = text.partition(".")
    try:
        payload, signature = unb64u(head), unb64u(sig)
        doc = json.loads(payload)
        key = keyset.get(bytes.fromhex(doc["kid"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise SignedTextInvalid("malformed") from None
    if key is None or not key.valid_at(now):
        raise SignedTextInvalid("signed by an unknown or expired key")
    if not verify_signature(key.public_key, signature, _signing_input(fmt, payload)):
        raise SignedTextInvalid("bad signature")
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise SignedTextInvalid(f"not {fmt}")
    return doc
