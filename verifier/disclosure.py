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
  valid, and for a valid code the permit type, district and validity; never
  any reference that could link two checks of one person. The name and the
  last four ID characters only as the holder chose for that one code (wire v2's
  signed ``disclose`` byte, ``keys.vocabulary.Disclosure``): a valid code with a
  choice adds ``"disclosed": {"name": ..., "id_tail": ...}`` holding exactly the
  chosen fields (``{}`` for "validity only"); a code without a choice (every v1
  code) gives the body it always has, with no ``disclosed`` key.

Neither role receives the credential reference (the status-list index).
``disclosed_fields`` names the fields a role was shown, for the records of who
saw what (names, never values).

``verdict_json`` gives the body as a dict; ``verdict_text`` gives the same body
already encoded (``json.dumps(verdict_json(...), ensure_ascii=False)`` with
compact separators, byte for byte, checked by the tests), assembled from
fragments rendered once per reason, district and permit type: the generic
encoder walking a fresh dict was about a tenth of a request's own time.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from json.encoder import encode_basestring
from typing import Any

from keys.districts import DISTRICTS, district_by_code
from keys.reasons import REASONS, message
from keys.vocabulary import MODE_NAMES, PermitType, disclosed_field_names
from keys.wire import Claims

from .auth import OFFICIAL
from .verdict import Verdict

ID_MASK = "*" * 14
PERMIT_TYPES: dict[int, dict[str, Any]] = {
    int(t): {"code": int(t), "type": t.name, "zh": t.name_zh, "en": t.name_en} for t in PermitType
}


_last_iso: tuple[float, str] = (math.nan, "")


def iso_utc(ts: float) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``.

    The last answer is kept: a request formats its one ``now`` for the verdict
    and for the audit record, and a batch formats it once per code.
    """
    global _last_iso
    last_ts, text = _last_iso
    if ts == last_ts:
        return text
    text = datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    _last_iso = (ts, text)
    return text


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


def consented(claims: Claims) -> dict[str, str] | None:
    """The fields the holder chose to show a business with this code, by name; None without a choice.

    The field names of ``keys.vocabulary.Disclosure`` are the names of the
    claims they show, so each value is read from the claim of that name.
    """
    names = disclosed_field_names(claims.disclose)
    if names is None:
        return None
    return {name: getattr(claims, name) for name in names}


#: The claims each role is shown, by name, in the order of the body (``official_claims``, ``business_claims``).
OFFICIAL_FIELDS: tuple[str, ...] = ("name", "id_number_masked", "id_tail", "district", "permit_type", "valid_until")
BUSINESS_FIELDS: tuple[str, ...] = ("district", "permit_type", "valid_until")


def disclosed_fields(verdict: Verdict, role: str) -> tuple[str, ...]:
    """The NAMES of the claims a verdict's body gives a caller of ``role`` (never their values).

    The holder's record of who checked the permit lists them, so it must say
    exactly what ``verdict_json`` gave: the same rule, asked of the same verdict
    (tests compare the two). A business's are followed by the fields the holder
    chose to show it with that code (``disclosed``).
    """
    claims = verdict.claims
    chosen = disclosed_field_names(claims.disclose) if claims is not None else None
    return shown_fields(role, valid=verdict.valid, signed=claims is not None, consented=chosen or ())


def shown_fields(role: str, *, valid: bool, signed: bool, consented: tuple[str, ...] = ()) -> tuple[str, ...]:
    """``disclosed_fields`` from the facts alone: an offline scan's report holds no claims, only whether the
    handheld verified the signature (it then sent the credential's hash) and the verdict. ``consented``:
    the fields the code's holder chose to show a business (wire v2 ``disclose``)."""
    if not signed:
        return ()
    if role == OFFICIAL:
        return OFFICIAL_FIELDS
    return (*BUSINESS_FIELDS, *consented) if valid else ()


def verdict_json(verdict: Verdict, role: str, status_age_s: float | None) -> dict[str, Any]:
    """The HTTP body for one verdict, as the caller's role may see it."""
    claims: dict[str, Any] | None = None
    disclosed: dict[str, str] | None = None
    if verdict.claims is not None:
        if role == OFFICIAL:
            claims = official_claims(verdict.claims)
        elif verdict.valid:
            claims = business_claims(verdict.claims)
            disclosed = consented(verdict.claims)
    body: dict[str, Any] = {
        "valid": verdict.valid,
        "reason": verdict.reason,
        "message": verdict.message,
        "mode": verdict.mode,
        "claims": claims,
    }
    if disclosed is not None:
        body["disclosed"] = disclosed
    body.update({
        "checked_at": iso_utc(verdict.checked_at),
        "status_age_s": None if status_age_s is None else round(max(0.0, status_age_s), 3),
        "requires_id_check": verdict.requires_id_check,
    })
    return body


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_MESSAGE_TEXT = {reason: _dumps(message(reason)) for reason in REASONS}
_DISTRICT_TEXT = {d.code: _dumps(_district(d.code)) for d in DISTRICTS}
_PERMIT_TYPE_TEXT = {code: _dumps(doc) for code, doc in PERMIT_TYPES.items()}
_MODE_TEXT: dict[str | None, str] = {None: "null", **{name: _dumps(name) for name in MODE_NAMES.values()}}


def _fragment(table: dict[Any, str], key: Any, render: Any) -> str:
    text = table.get(key)
    return text if text is not None else _dumps(render(key))


def _claims_text(claims: Claims, official: bool) -> str:
    district = _fragment(_DISTRICT_TEXT, claims.district, _district)
    permit_type = _fragment(_PERMIT_TYPE_TEXT, claims.permit_type, _permit_type)
    valid_until = claims.valid_until.isoformat()
    if official:
        return (
            f'{{"name":{encode_basestring(claims.name)},'
            f'"id_number_masked":{encode_basestring(ID_MASK + claims.id_tail)},'
            f'"id_tail":{encode_basestring(claims.id_tail)},'
            f'"district":{district},"permit_type":{permit_type},"valid_until":"{valid_until}"}}'
        )
    return f'{{"district":{district},"permit_type":{permit_type},"valid_until":"{valid_until}"}}'


def status_age_text(status_age_s: float | None) -> str:
    """``status_age_s`` as the JSON bodies give it: seconds, rounded to milliseconds, or null."""
    if status_age_s is None:
        return "null"
    value = round(max(0.0, float(status_age_s)), 3)
    if not math.isfinite(value):
        return "null"
    return repr(value)


def verdict_text(verdict: Verdict, role: str, status_age_text: str) -> str:
    """``verdict_json`` encoded; ``status_age_text`` from ``status_age_text()`` (shared by a batch)."""
    claims = "null"
    disclosed = ""
    if verdict.claims is not None:
        if role == OFFICIAL:
            claims = _claims_text(verdict.claims, True)
        elif verdict.valid:
            claims = _claims_text(verdict.claims, False)
            if verdict.claims.disclose:
                disclosed = ',"disclosed":' + _dumps(consented(verdict.claims))
    reason = verdict.reason
    message_text = _MESSAGE_TEXT.get(reason) or _dumps(verdict.message)
    return (
        f'{{"valid":{"true" if verdict.valid else "false"},"reason":{encode_basestring(reason)},'
        f'"message":{message_text},"mode":{_fragment(_MODE_TEXT, verdict.mode, lambda m: m)},'
        f'"claims":{claims}{disclosed},"checked_at":"{iso_utc(verdict.checked_at)}",'
        f'"status_age_s":{status_age_text},"requires_id_check":{"true" if verdict.requires_id_check else "false"}}}'
    )
