"""Keys and the signed payload format shared by the issuer and every verifier."""

from .errors import CredentialError, MESSAGES, REASONS, message
from .keypair import KeyFileError, SigningKey, kid_for, verify_signature
from .keyset import KeyInfo, KeySet, KeySetError
from .wire import Claims, Mode, PermitType

__all__ = [
    "Claims",
    "CredentialError",
    "KeyFileError",
    "KeyInfo",
    "KeySet",
    "KeySetError",
    "MESSAGES",
    "Mode",
    "PermitType",
    "REASONS",
    "SigningKey",
    "kid_for",
    "message",
    "verify_signature",
]
