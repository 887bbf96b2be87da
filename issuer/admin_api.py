"""The clerks' HTTP API: issue, 签注, 变更, suspend, reinstate, revoke, 卡换证, devices, slips.

Every route requires a bearer token (401 otherwise): an officer's own token, whose
acts are recorded under the officer's name and limited to the officer's role, or
the deployment's admin token (recorded as ``admin``; see ``issuer.auth``). Requests and responses are JSON; the
decisions themselves are ``issuer.lifecycle``'s, whose refusals arrive here as
``LifecycleError`` and leave as 4xx with their stable code (see issuer.http_errors).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from issuer.errors import NotFoundError
from issuer.legacy import ExportFormatError, decode_export
from issuer.lifecycle import ACTS as LIFECYCLE_ACTS, Lifecycle, LifecycleAct
from issuer.officers.roles import Act
from issuer.migration import ImportReport, import_text
from issuer.model import Credential
from issuer.registry import Registry
from issuer.tokens import ENROLMENT_TTL

from . import slip
from keys.edge.body import read_body
from keys.edge.errors import HttpError

from .http_errors import (
    NO_STORE,
    bad_request,
    check_query,
    date_field,
    district_field,
    int_field,
    ok,
    read_json,
    text_field,
)
from .state import ServiceState
from .views import credential_view, device_view

MAX_DEVICE_ID = 2**63 - 1
MAX_PAGE = 500
MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_REPORTED_DEFECTS = 1000


def import_report_view(report: ImportReport) -> dict[str, Any]:
    """The import summary; the defect list is cut at MAX_REPORTED_DEFECTS rows."""
    return {
        "source": report.source,
        "encoding": report.encoding,
        "read": report.read,
        "imported": report.imported,
        "unchanged": report.unchanged,
        "expired": report.expired,
        "rejected": report.rejected,
        "rejected_by_code": report.rejected_by_code(),
        "defects": [{"line": d.line, "code": d.code, "card_number": d.card_number}
                    for d in report.defects[:MAX_REPORTED_DEFECTS]],
        "defects_truncated": report.rejected > MAX_REPORTED_DEFECTS,
    }


def _export_error(exc: ExportFormatError) -> HttpError:
    return HttpError("EXPORT_FORMAT", zh=f"无法读取导出文件（{exc.code}）", en=f"cannot read the export ({exc.code})")


def _device_id(request: Request) -> int:
    raw = request.path_params["device_id"]
    if not isinstance(raw, int) or not 0 < raw <= MAX_DEVICE_ID:
        raise NotFoundError(f"设备 {raw} 不存在", f"device {raw} not found")
    return raw


def _page_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 10 or not low <= int(raw) <= high:
        raise bad_request(f"参数 {name} 须为 {low} 至 {high} 的整数", f"{name} must be an integer from {low} to {high}")
    return int(raw)


def _cred_id(request: Request) -> str:
    value = request.path_params["cred_id"]
    if len(value) > 64:
        raise bad_request("凭证编号须为16位十六进制", "cred_id must be 16 hex characters")
    return str(value)


def routes(state: ServiceState) -> list[Route]:
    worker = state.worker

    async def issue(request: Request) -> Response:
        actor = await state.admin.require(request, Act.COUNTER_APPLY)
        data = await read_json(request)
        permit_type = int_field(data, "permit_type", low=0, high=255)
        name = text_field(data, "name", limit=200)
        id_number = text_field(data, "id_number", limit=32)
        address = text_field(data, "address", limit=500)
        district = district_field(data, "district")
        valid_from = date_field(data, "valid_from", required=False)
        years = int_field(data, "years", required=False, low=0, high=100)
        now = state.now()
        now_dt = state.now_dt(now)
        start = valid_from or now_dt.date()

        def run(reg: Registry, lc: Lifecycle) -> dict[str, Any]:
            cred = lc.issue(permit_type, name, id_number, address, district, start,  # type: ignore[arg-type]
                            1 if years is None else years, actor=actor, now=now_dt)
            return credential_view(cred)

        return ok(await worker.call(run), 201)

    async def search(request: Request) -> Response:
        """By ``id_number``, ``card_number`` or exact ``name``; without any, the newest first, paged."""
        await state.admin.require(request, Act.VIEW)
        id_number = check_query(request, "id_number", 32)
        card_number = check_query(request, "card_number", 64)
        name = check_query(request, "name", 200)
        limit = _page_param(request, "limit", 50, 1, MAX_PAGE)
        offset = _page_param(request, "offset", 0, 0, 10**9)
        today = state.now_dt().date()

        def run(reg: Registry, lc: Lifecycle) -> dict[str, Any]:
            found: list[Credential] = []
            if id_number is not None:
                found += reg.find_by_id_number(id_number.strip().upper(), today=today)
            if card_number is not None:
                cred = reg.get_by_card_number(card_number.strip(), today=today)
                if cred is not None:
                    found.append(cred)
            if id_number is None and card_number is None:
                found += reg.list_credentials(today=today, name=None if name is None else name.strip(),
                                               limit=limit, offset=offset)
            elif name is not None:
                found = [c for c in found if c.holder_name == name.strip()]
            unique = list({c.cred_id: c for c in found}.values())
            return {"credentials": [credential_view(c) for c in unique], "limit": limit, "offset": offset}

        return ok(await worker.call(run))

    async def show(request: Request) -> Response:
        actor = await state.admin.require(request, Act.VIEW)
        cred_id = _cred_id(request)
        now_dt = state.now_dt()
        return ok(await worker.call(lambda reg, lc: credential_view(lc.show(cred_id, actor=actor, now=now_dt))))

    def operation(name: str) -> Any:
        async def endpoint(request: Request) -> Response:
            actor = await state.admin.require(request, Act(name))
            cred_id = _cred_id(request)
            data = await read_json(request, allow_empty=True)
            now_dt = state.now_dt()
            if name == "change":
                act = LifecycleAct(name, address=text_field(data, "address", required=False, limit=500),
                                   district=district_field(data, "district", required=False))
            elif name in ("suspend", "revoke"):
                act = LifecycleAct(name, reason=text_field(data, "reason", required=name == "revoke", limit=500))
            else:
                act = LifecycleAct(name)
            return ok(credential_view(await worker.call(
                lambda reg, lc: act.perform(lc, cred_id, actor=actor, now=now_dt))))

        endpoint.__name__ = name
        return endpoint

    async def create_enrolment(request: Request) -> Response:
        actor = await state.admin.require(request, Act.ENROL)
        cred_id = _cred_id(request)
        now_dt = state.now_dt()

        def run(reg: Registry, lc: Lifecycle) -> dict[str, Any]:
            cred = lc.get(cred_id, today=now_dt.date())
            code = reg.devices.create_enrolment(cred.cred_id, now_dt, actor=actor)
            expires = now_dt + ENROLMENT_TTL
            return {"cred_id": cred.cred_id, "code": code, "expires_at": int(expires.timestamp()),
                    "expires_in": int(ENROLMENT_TTL / timedelta(seconds=1))}

        return ok(await worker.call(run), 201)

    async def list_devices(request: Request) -> Response:
        await state.admin.require(request, Act.VIEW)
        cred_id = _cred_id(request)
        today = state.now_dt().date()

        def run(reg: Registry, lc: Lifecycle) -> list[dict[str, Any]]:
            cred = lc.get(cred_id, today=today)
            return [device_view(d) for d in reg.devices.list_devices(cred.cred_id)]

        return ok({"devices": await worker.call(run)})

    async def revoke_device(request: Request) -> Response:
        actor = await state.admin.require(request, Act.ENROL)
        device_id = _device_id(request)
        now_dt = state.now_dt()
        return ok(device_view(await worker.call(lambda reg, lc: reg.devices.revoke_device(device_id, now_dt, actor=actor))))

    async def audit(request: Request) -> Response:
        await state.admin.require(request, Act.VIEW)
        cred_id = _cred_id(request)
        today = state.now_dt().date()

        def run(reg: Registry, lc: Lifecycle) -> list[dict[str, Any]]:
            cred = lc.get(cred_id, today=today)
            return [
                {"at": e.at.isoformat(), "actor": e.actor, "operation": e.operation, "details": e.details}
                for e in reg.audit_entries(cred.cred_id)
            ]

        return ok({"entries": await worker.call(run)})

    async def get_slip(request: Request) -> Response:
        actor = await state.admin.require(request, Act.SLIP)
        cred_id = _cred_id(request)
        fmt = request.query_params.get("format", "html")
        if fmt not in ("html", "pdf"):
            raise bad_request("format 须为 html 或 pdf", "format must be html or pdf")
        now = state.now()

        def run(reg: Registry, lc: Lifecycle) -> slip.Slip:
            return slip.issue_slip(reg, lc, state.minter, cred_id, now=now, actor=actor,
                                   office=state.config.office_name)

        issued = await worker.call(run)
        if fmt == "pdf":
            try:
                pdf = slip.slip_pdf(issued, font=state.config.cjk_font)
            except slip.PdfUnavailable as exc:
                raise HttpError("PDF_UNAVAILABLE", f"cannot render the PDF: {exc}") from None
            return Response(pdf, media_type="application/pdf", headers={
                **NO_STORE, "Content-Disposition": f'inline; filename="slip-{issued.credential.cred_id}.pdf"'})
        return HTMLResponse(slip.slip_html(issued), headers={
            **NO_STORE, "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"})

    async def import_export(request: Request) -> Response:
        """A legacy CSV export as the request body (UTF-8 or GBK). The CLI is the main path."""
        actor = await state.admin.require(request, Act.IMPORT)
        source = check_query(request, "source", 128) or "upload.csv"
        data = await read_body(request, MAX_IMPORT_BYTES)
        try:
            text, encoding = decode_export(data)
        except ExportFormatError as exc:
            raise _export_error(exc) from None
        now_dt = state.now_dt()

        def run(reg: Registry, lc: Lifecycle) -> dict[str, Any]:
            try:
                report = import_text(reg, text, source=source, encoding=encoding, actor=actor, now=now_dt)
            except ExportFormatError as exc:
                raise _export_error(exc) from None
            return import_report_view(report)

        return ok(await worker.call(run))

    return [
        Route("/admin/import", import_export, methods=["POST"]),
        Route("/admin/credentials", issue, methods=["POST"]),
        Route("/admin/credentials", search, methods=["GET"]),
        Route("/admin/credentials/{cred_id}", show, methods=["GET"]),
        *[
            Route(f"/admin/credentials/{{cred_id}}/{name}", operation(name), methods=["POST"])
            for name in LIFECYCLE_ACTS
        ],
        Route("/admin/credentials/{cred_id}/enrolment", create_enrolment, methods=["POST"]),
        Route("/admin/credentials/{cred_id}/devices", list_devices, methods=["GET"]),
        Route("/admin/credentials/{cred_id}/audit", audit, methods=["GET"]),
        Route("/admin/credentials/{cred_id}/slip", get_slip, methods=["GET"]),
        Route("/admin/devices/{device_id:int}/revoke", revoke_device, methods=["POST"]),
    ]
