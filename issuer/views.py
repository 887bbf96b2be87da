"""What the HTTP API shows of a credential or device: masked, bilingual, JSON-ready.

The full ID number never leaves through the API: clerks and holders both see
the masked form (first 6 and last 4 characters).
"""

from __future__ import annotations

from typing import Any

from issuer.model import Credential, Device
from keys.vocabulary import PermitType


def permit_type_view(permit_type: PermitType) -> dict[str, Any]:
    return {"code": int(permit_type), "zh": permit_type.name_zh, "en": permit_type.name_en}


def district_view(credential: Credential) -> dict[str, Any]:
    district = credential.district
    return {"code": district.code, "zh": district.name_zh, "en": district.name_en}


def status_view(credential: Credential) -> dict[str, Any]:
    status = credential.status
    return {"code": status.value, "zh": status.name_zh, "en": status.name_en}


def holder_view(credential: Credential) -> dict[str, Any]:
    """What the holder's own page displays next to the QR code (their own details, ID number masked)."""
    return {
        "name": credential.holder_name,
        "id_number_masked": credential.masked_id_number,
        "card_number": credential.card_number,
        "address": credential.address,
        "permit_type": permit_type_view(credential.permit_type),
        "district": district_view(credential),
        "valid_from": credential.valid_from.isoformat(),
        "valid_until": credential.valid_until.isoformat(),
        "version": credential.version,
        "status": status_view(credential),
    }


def credential_view(credential: Credential) -> dict[str, Any]:
    """What a clerk sees (address included, ID number masked)."""
    return {
        "cred_id": credential.cred_id,
        "card_number": credential.card_number,
        "permit_type": permit_type_view(credential.permit_type),
        "name": credential.holder_name,
        "id_number_masked": credential.masked_id_number,
        "address": credential.address,
        "district": district_view(credential),
        "issued_on": credential.issued_on.isoformat(),
        "valid_from": credential.valid_from.isoformat(),
        "valid_until": credential.valid_until.isoformat(),
        "status": status_view(credential),
        "revoke_reason": credential.revoke_reason,
        "version": credential.version,
        "status_index": credential.status_index,
    }


def device_view(device: Device) -> dict[str, Any]:
    return {
        "device_id": device.device_id,
        "cred_id": device.cred_id,
        "label": device.label,
        "enrolled_at": device.enrolled_at.isoformat(),
        "revoked_at": device.revoked_at.isoformat() if device.revoked_at else None,
        "active": device.active,
    }
