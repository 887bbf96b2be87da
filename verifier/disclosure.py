"""What each role is told about a credential: minimal disclosure as code.

The verdict from the core carries every claim the code holds; this module is
the only place that turns claims into JSON, so what a role sees is decided in
one reviewed spot:

* **official** (police, registration offices): the name, the ID number masked
  to its last four characters (``**************1234``, the shape printed on
  receipts), district, permit type and validity. Shown whenever the signature
  verified, also for a refused code (a revoked permit's holder is named so the
  official can act on it).
* **business** (landlords, employers checking a permit): only whether it is
  valid, and for a valid code the permit type, district and validity; never the
  name, ID digits or any reference that could link two checks of one person.

Neither role receives the credential reference (the status-list index).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from keys.districts import district_by_code
from keys.wire import Claims, PermitType

from .auth import OFFICIAL
from .verdict import Verdict

ID_MASK = "*" * 14
PERMIT_TYPES: dict[int, dict[str, Any]] = {
    int(PermitType.RESIDENCE_PERMIT): {"code": 1, "type": "RESIDENCE_PERMIT", "zh": "居住证", "en": "Residence permit"},
    int(PermitType.REGISTRATION_CARD): {"code": 2, "type": "REGISTRATION_CARD", "zh": "居住登记卡", "en": "Residence registration card"},
}


def iso_utc(ts: float) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``."""
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _district(code: int) -> dict[str, Any]:
    try:
        d = district_by_code(code)
    except KeyError:
        return {"code": code, "zh": None, "en": None}
    return {"code": d.code, "zh": d.name_zh, "en": d.name_en}


def _permit_type(code: int) -> dict[str, Any]:
    return dict(PERMIT_TYPES.get(code, {"code": code, "type": "UNKNOWN", "zh": None, "en": None}))


def official_claims(claims: Claims) -> dict[str, Any]:
    return {
        "name": claims.name,
        "id_number_masked": ID_MASK + claims.id_tail,
        "id_tail": claims.id_tail,
        "district": _district(claims.district),
        "permit_type": _permit_type(claims.permit_type),
        "valid_until": claims.valid_until.isoformat(),
    }


def business_claims(claims: Claims) -> dict[str, Any]:
    return {
        "district": _district(claims.district),
        "permit_type": _permit_type(claims.permit_type),
        "valid_until": claims.valid_until.isoformat(),
    }


def verdict_json(verdict: Verdict, role: str, status_age_s: float | None) -> dict[str, Any]:
    """The HTTP body for one verdict, as the caller's role may see it."""
    claims: dict[str, Any] | None = None
    if verdict.claims is not None:
        if role == OFFICIAL:
            claims = official_claims(verdict.claims)
        elif verdict.valid:
            claims = business_claims(verdict.claims)
    return {
        "valid": verdict.valid,
        "reason": verdict.reason,
        "message": verdict.message,
        "mode": verdict.mode,
        "claims": claims,
        "checked_at": iso_utc(verdict.checked_at),
        "status_age_s": None if status_age_s is None else round(max(0.0, status_age_s), 3),
        "requires_id_check": verdict.requires_id_check,
    }
