"""What the applicant JSON API shows of accounts, applications, stations and notices.

ID numbers only masked; every label in Chinese and English, like issuer.views.
"""

from __future__ import annotations

from typing import Any

from issuer.applications.appointments import SlotLoad
from issuer.applications.model import Application, Appointment, Event, EvidenceItem, Notification
from issuer.applications.stations import Station
from issuer.idnumber import mask_id_number

from .accounts import Account

__all__ = ["account_view", "application_view", "notification_view", "slot_view", "station_view"]


def account_view(account: Account) -> dict[str, Any]:
    return {"account_id": account.account_id, "name": account.name,
            "id_number_masked": mask_id_number(account.id_number), "phone_masked": account.masked_phone,
            "totp_enabled": account.totp_enabled}


def _event(e: Event) -> dict[str, Any]:
    return {"at": e.at.isoformat(), "state": e.state.value, "note": e.note}


def _evidence(e: EvidenceItem) -> dict[str, Any]:
    return {"evidence_id": e.evidence_id, "kind": e.kind.value, "content_type": e.content_type, "size": e.size,
            "name": e.original_name, "uploaded_at": e.uploaded_at.isoformat()}


def application_view(app: Application, *, timeline: list[Event] | None = None,
                     evidence: list[EvidenceItem] | None = None,
                     appointment: Appointment | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "app_id": app.app_id, "kind": {"code": app.kind.value, "zh": app.kind.name_zh, "en": app.kind.name_en},
        "state": {"code": app.state.value, "zh": app.state.name_zh, "en": app.state.name_en},
        "holder_name": app.holder_name, "id_number_masked": app.masked_id_number,
        "district_code": app.district_code, "address": app.address,
        "residence_since": None if app.residence_since is None else app.residence_since.isoformat(),
        "proof_basis": None if app.proof_basis is None else app.proof_basis.value,
        "proof_from": app.proof_from, "proof_to": app.proof_to, "target_cred_id": app.target_cred_id,
        "created_at": app.created_at.isoformat(),
        "submitted_at": None if app.submitted_at is None else app.submitted_at.isoformat(),
        "accepted_at": None if app.accepted_at is None else app.accepted_at.isoformat(),
        "deadline": None if app.deadline is None else app.deadline.isoformat(),
        "deadline_known": app.deadline_known, "reason": app.reason, "issued_cred_id": app.issued_cred_id,
    }
    if timeline is not None:
        view["timeline"] = [_event(e) for e in timeline]
    if evidence is not None:
        view["evidence"] = [_evidence(e) for e in evidence]
    if appointment is not None:
        view["appointment"] = {"station_id": appointment.station_id, "day": appointment.day.isoformat(),
                               "half": appointment.half.value}
    return view


def slot_view(slot: SlotLoad) -> dict[str, Any]:
    return {"station_id": slot.station_id, "day": slot.day.isoformat(), "half": slot.half.value,
            "capacity": slot.capacity, "booked": slot.booked, "free": slot.free}


def station_view(station: Station) -> dict[str, Any]:
    return {"station_id": station.station_id, "kind": station.kind, "name": {"zh": station.name_zh,
            "en": station.name_en}, "district_code": station.district_code, "address": station.address,
            "open_days": list(station.open_days), "capacity": {"am": station.capacity_am, "pm": station.capacity_pm},
            "active": station.active}


def notification_view(n: Notification) -> dict[str, Any]:
    return {"at": n.at.isoformat(), "app_id": n.app_id, "text": {"zh": n.text_zh, "en": n.text_en}}
