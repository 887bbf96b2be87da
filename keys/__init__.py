"""Keys, the signed payload format and the vocabulary shared by the issuer and every verifier."""

from .errors import CredentialError
from .keypair import KeyFileError, SigningKey, kid_for, verify_signature
from .keyset import KeyInfo, KeySet, KeySetError
from .reasons import REASONS, message, messages_document
from .vocabulary import Mode, PermitType, StatusCode
from .wire import Claims

__all__ = [
    "Claims",
    "CredentialError",
    "KeyFileError",
    "KeyInfo",
    "KeySet",
    "KeySetError",
    "Mode",
    "PermitType",
    "REASONS",
    "SigningKey",
    "StatusCode",
    "kid_for",
    "message",
    "messages_document",
    "verify_signature",
]
