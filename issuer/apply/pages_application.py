"""Application pages: start, fill in, upload evidence, check and submit, withdraw, book a
visit, and the acceptance notice. Each page reads and moves the record through the
stores of issuer.applications; an applicant only ever sees their own applications."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from issuer.applications.evidence import MAX_EVIDENCE_BYTES
from issuer.applications.model import Application, ApplicationState
from issuer.applications.rules import required_months
from issuer.errors import LifecycleError, NotFoundError
from issuer.pdf import PdfUnavailable
from keys.districts import DISTRICTS, district_by_code

from keys.edge.errors import HttpError

from ..http_errors import NO_STORE
from .accounts import Session
from .i18n import Words, lang_of
from .notice import notice_pdf, notice_rows
from .pages_account import signed_in
from .web import Desk, Platform, field_errors, form_text

__all__ = ["application_routes", "own_application", "summary"]

EDITABLE = (ApplicationState.DRAFT, ApplicationState.PREVIEW)


def own_application(d: Desk, app_id: str, account_id: str) -> Application:
    """The application if it is this account's; NOT_FOUND otherwise (never "forbidden")."""
    app = d.store.get(app_id) if len(app_id) <= 32 else None
    if app is None or app.account_id != account_id:
        raise NotFoundError("申请不存在", "no such application")
    return app


def summary(app: Application, words: Words, evidence_names: list[str]) -> list[tuple[str, str]]:
    """What the applicant entered, as "check your answers" rows."""
    rows = [(words("name"), app.holder_name), (words("id_number"), app.masked_id_number),
            (words("kind"), words.pick(app.kind.name_zh, app.kind.name_en))]
    if app.district_code is not None:
        d = district_by_code(app.district_code)
        rows.append((words("district"), words.pick(d.name_zh, d.name_en)))
    if app.address:
        rows.append((words("address"), app.address))
    if app.residence_since:
        rows.append((words("residence_since"), app.residence_since.isoformat()))
    if app.proof_basis:
        rows.append((words("proof_basis"), words("basis_" + app.proof_basis.value)))
    if app.proof_from or app.proof_to:
        rows.append((words("proof_months"), f"{app.proof_from or ''} – {app.proof_to or ''}"))
    if app.target_cred_id:
        rows.append((words("target"), app.target_cred_id))
    rows.append((words("evidence"), "、".join(evidence_names) or "—"))
    return rows


def application_routes(platform: Platform) -> list[Route]:
    state = platform.state

    async def with_app(request: Request, fn: Callable[[Session, Words], Any]) -> Response:
        found = await signed_in(platform, request)
        if isinstance(found, Response):
            return found
        result = await fn(found[0], Words(lang_of(request)))
        assert isinstance(result, Response)
        return result

    async def page(request: Request, session: Session, words: Words, *, errors: dict[str, str] | None = None,
                   status: int = 200) -> Response:
        app_id = request.path_params["app_id"]
        me, today = session.account, state.now_dt().date()

        def read(d: Desk) -> dict[str, Any]:
            app = own_application(d, app_id, me.account_id)
            evidence = d.evidence.list(app_id)
            return {"app": app, "evidence": evidence, "timeline": d.store.timeline(app_id),
                    "appointment": d.bookings.live(app_id),
                    "credentials": d.registry.find_by_id_number(me.id_number, today=today),
                    "summary": summary(app, words, [e.original_name for e in evidence])}

        values = await platform.call(read)
        return platform.render(request, "application.html", session, editable=values["app"].state in EDITABLE,
                               districts=DISTRICTS, window=required_months(today), errors=errors or {},
                               status=status, **values)

    async def create(request: Request) -> Response:
        async def run(session: Session, words: Words) -> Response:
            form = await platform.posted_form(request, session, max_fields=5)
            me, now = session.account, state.now_dt()
            app = await platform.call(lambda d: d.store.create(
                kind=form_text(form, "kind", 32), holder_name=me.name, id_number=me.id_number, phone=me.phone,
                account_id=me.account_id, actor=f"applicant:{me.account_id}", now=now))
            return RedirectResponse(f"/apply/applications/{app.app_id}", status_code=303)
        return await with_app(request, run)

    async def application(request: Request) -> Response:
        async def run(session: Session, words: Words) -> Response:
            if request.method == "GET":
                return await page(request, session, words)
            form = await platform.posted_form(request, session, max_fields=20)
            app_id, me, now = request.path_params["app_id"], session.account, state.now_dt()
            fields: dict[str, Any] = {}
            for name in ("district_code", "address", "proof_basis", "proof_from", "proof_to", "target_cred_id"):
                if name in form:
                    fields[name] = form_text(form, name) or None
            if "residence_since" in form:
                text = form_text(form, "residence_since", 10)
                try:
                    fields["residence_since"] = date.fromisoformat(text) if text else None
                except ValueError:
                    return await page(request, session, words, status=400, errors={
                        "residence_since": words.pick("请填写有效日期", "Enter a real date")})
            actor = f"applicant:{me.account_id}"

            def save(d: Desk) -> Application:
                own_application(d, app_id, me.account_id)
                d.store.update(app_id, actor=actor, now=now, **fields)
                if form_text(form, "action") == "preview":
                    return d.store.preview(app_id, actor=actor, now=now)
                return d.store.get(app_id)

            try:
                saved = await platform.call(save)
            except LifecycleError as exc:
                if isinstance(exc, NotFoundError):
                    raise
                return await page(request, session, words, errors=field_errors(exc, words), status=400)
            target = "/preview" if saved.state is ApplicationState.PREVIEW else ""
            return RedirectResponse(f"/apply/applications/{app_id}{target}", status_code=303)
        return await with_app(request, run)

    async def preview(request: Request) -> Response:
        async def run(session: Session, words: Words) -> Response:
            app_id, me, now = request.path_params["app_id"], session.account, state.now_dt()
            if request.method == "POST":
                form = await platform.posted_form(request, session, max_fields=5)

                def submit(d: Desk) -> Application:
                    own_application(d, app_id, me.account_id)
                    return d.store.submit(app_id, actor=f"applicant:{me.account_id}", now=now)

                try:
                    await platform.call(submit)
                except LifecycleError as exc:
                    if isinstance(exc, NotFoundError):
                        raise
                    return await page(request, session, words, errors=field_errors(exc, words), status=400)
                return RedirectResponse(f"/apply/applications/{app_id}/booking", status_code=303)

            def read(d: Desk) -> dict[str, Any]:
                app = own_application(d, app_id, me.account_id)
                names = [e.original_name for e in d.evidence.list(app_id)]
                return {"app": app, "summary": summary(app, words, names)}

            values = await platform.call(read)
            if values["app"].state is not ApplicationState.PREVIEW:
                return RedirectResponse(f"/apply/applications/{app_id}", status_code=303)
            return platform.render(request, "preview.html", session, **values)
        return await with_app(request, run)

    async def withdraw(request: Request) -> Response:
        async def run(session: Session, words: Words) -> Response:
            form = await platform.posted_form(request, session, max_fields=5)
            app_id, me, now = request.path_params["app_id"], session.account, state.now_dt()

            def act(d: Desk) -> None:
                own_application(d, app_id, me.account_id)
                d.store.withdraw(app_id, actor=f"applicant:{me.account_id}", now=now)

            await platform.call(act)
            return RedirectResponse(f"/apply/applications/{app_id}", status_code=303)
        return await with_app(request, run)

    async def upload(request: Request) -> Response:
        async def run(session: Session, words: Words) -> Response:
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_EVIDENCE_BYTES + 64 * 1024:
                return await page(request, session, words, status=413, errors={
                    "evidence": words.pick("文件不能超过5MB", "The file must be 5 MB or smaller")})
            form = await platform.posted_form(request, session, max_files=1, max_fields=5,
                                              max_part_size=MAX_EVIDENCE_BYTES + 1)
            upload_file = form.get("file")
            data, name = b"", ""
            if isinstance(upload_file, UploadFile):
                data = await upload_file.read(MAX_EVIDENCE_BYTES + 1)
                name = upload_file.filename or ""
            app_id, me, now = request.path_params["app_id"], session.account, state.now_dt()

            def add(d: Desk) -> None:
                own_application(d, app_id, me.account_id)
                d.evidence.add(app_id, form_text(form, "kind", 32), name, data,
                               actor=f"applicant:{me.account_id}", now=now)

            try:
                await platform.call(add)
            except LifecycleError as exc:
                if isinstance(exc, NotFoundError):
                    raise
                return await page(request, session, words, errors=field_errors(exc, words), status=400)
            return RedirectResponse(f"/apply/applications/{app_id}#evidence", status_code=303)
        return await with_app(request, run)

    async def evidence_file(request: Request) -> Response:
        async def run(session: Session, words: Words) -> Response:
            app_id, evidence_id = request.path_params["app_id"], request.path_params["evidence_id"]

            def read(d: Desk) -> tuple[str, bytes]:
                own_application(d, app_id, session.account.account_id)
                item = d.evidence.get(app_id, evidence_id)
                return item.content_type, d.evidence.read(item)

            content_type, data = await platform.call(read)
            return Response(data, media_type=content_type, headers={
                **NO_STORE, "Content-Disposition": "attachment", "Content-Security-Policy": "sandbox"})
        return await with_app(request, run)

    async def remove_evidence(request: Request) -> Response:
        async def run(session: Session, words: Words) -> Response:
            form = await platform.posted_form(request, session, max_fields=5)
            app_id, evidence_id = request.path_params["app_id"], request.path_params["evidence_id"]
            me, now = session.account, state.now_dt()

            def act(d: Desk) -> None:
                own_application(d, app_id, me.account_id)
                d.evidence.remove(app_id, evidence_id, actor=f"applicant:{me.account_id}", now=now)

            await platform.call(act)
            return RedirectResponse(f"/apply/applications/{app_id}#evidence", status_code=303)
        return await with_app(request, run)

    return [
        Route("/apply/applications", create, methods=["POST"]),
        Route("/apply/applications/{app_id}", application, methods=["GET", "POST"]),
        Route("/apply/applications/{app_id}/preview", preview, methods=["GET", "POST"]),
        Route("/apply/applications/{app_id}/withdraw", withdraw, methods=["POST"]),
        Route("/apply/applications/{app_id}/evidence", upload, methods=["POST"]),
        Route("/apply/applications/{app_id}/evidence/{evidence_id}", evidence_file, methods=["GET"]),
        Route("/apply/applications/{app_id}/evidence/{evidence_id}/remove", remove_evidence, methods=["POST"]),
    ]


def pdf_response(rows: Any, font: Any) -> Response:
    try:
        body = notice_pdf(rows, font=font)
    except PdfUnavailable as exc:
        raise HttpError("PDF_UNAVAILABLE", str(exc), zh="暂时无法生成PDF", en="the PDF cannot be rendered now") from None
    return Response(body, media_type="application/pdf", headers={**NO_STORE, "Content-Disposition": "inline"})
