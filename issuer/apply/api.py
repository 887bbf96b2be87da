"""The applicant platform's JSON API (``/apply/api/v1/``), the same moves as the pages.

Authentication is the page session's HttpOnly cookie; every request that changes
something must also send the session's CSRF token in ``X-CSRF-Token`` (returned
at sign-in and by ``GET /me``) and a JSON body (``Content-Type: application/json``),
except the evidence upload (multipart). Errors use the issuer's error body and codes
(issuer.http_errors); a form problem adds ``"field"`` or ``"problems"``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from issuer.applications.evidence import MAX_EVIDENCE_BYTES
from issuer.applications.model import Application
from issuer.errors import ApplicationIncompleteError, InvalidFieldError, LifecycleError, ProxyNotOnlineError
from issuer.http_errors import lifecycle_http_error, ok, read_json, text_field
from keys.edge.body import is_json_media_type
from keys.edge.errors import HttpError, define
from issuer.idnumber import IdNumberError, validate_id_number
from issuer.views import credential_view

from .accounts import Session, SignInError
from .api_views import account_view, application_view, notification_view, slot_view, station_view
from .pages_account import client_address
from .pages_application import own_application
from .web import KNOWN_COOKIE, Desk, Platform

__all__ = ["routes"]

PREFIX = "/apply/api/v1"

define("TOTP_REQUIRED", 401, "请输入动态验证码", "Enter the authenticator code")
define("BAD_CREDENTIALS", 401, "身份号码、手机号码或密码错误", "The login or the password is wrong")
_FIELDS = ("district_code", "address", "residence_since", "proof_basis", "proof_from", "proof_to", "target_cred_id")


def problem_response(exc: LifecycleError) -> Response:
    """The issuer's error body, with the field (or fields) a form should mark."""
    response = lifecycle_http_error(exc).response()
    extra: dict[str, Any] = {}
    if isinstance(exc, ApplicationIncompleteError):
        extra["problems"] = {k: {"zh": zh, "en": en} for k, (zh, en) in exc.problems.items()}
    elif isinstance(exc, InvalidFieldError):
        extra["field"] = exc.field
    if not extra:
        return response
    import json

    body = json.loads(bytes(response.body))
    return JSONResponse({**body, **extra}, status_code=response.status_code, headers={"Cache-Control": "no-store"})


def routes(platform: Platform) -> list[Route]:
    state = platform.state

    async def session_of(request: Request, *, write: bool) -> Session:
        found = await platform.session(request)
        if found is None:
            raise HttpError("UNAUTHORIZED", zh="请先登录", en="sign in first")
        if write:
            platform.check_csrf(request, request.headers.get("x-csrf-token"), found[0])
        return found[0]

    async def body(request: Request) -> dict[str, Any]:
        if not is_json_media_type(request.headers.get("content-type")):  # even when empty: no cross-site form
            raise HttpError("UNSUPPORTED_MEDIA_TYPE")
        platform.check_origin(request)
        return await read_json(request, allow_empty=True)

    def guarded(fn: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def run(request: Request) -> Response:
            try:
                result = await fn(request)
            except (ApplicationIncompleteError, InvalidFieldError) as exc:
                return problem_response(exc)
            assert isinstance(result, Response)
            return result
        return run

    async def sms_code(request: Request) -> Response:
        data = await body(request)
        purpose = text_field(data, "purpose", limit=16) or ""
        now = state.now_dt()
        if purpose == "register":
            phone = text_field(data, "phone", limit=20) or ""
            from .accounts import normalise_phone

            number = normalise_phone(phone)
            await platform.call(lambda d: d.accounts.send_code(number, "register", now))
        elif purpose == "reset":
            login = text_field(data, "login", limit=32) or ""

            def send(d: Desk) -> None:
                account_id = d.accounts.find_login(login)
                if account_id is not None:
                    d.accounts.send_code(d.accounts.get(account_id).phone, "reset", now)

            await platform.call(send)
        else:
            raise HttpError("INVALID_INPUT", zh="未知的用途", en="purpose must be register or reset")
        return ok({"sent": True}, 202)

    async def _open(request: Request, account_id: str, status: int) -> Response:
        now = state.now_dt()
        token = await platform.call(lambda d: d.accounts.open_session(account_id, now))
        session = await platform.call(lambda d: d.accounts.session(token, now))
        assert session is not None
        response = ok({"account": account_view(session.account), "csrf": session.csrf}, status)
        platform.set_session(response, request, token)
        known = await platform.known_devices()
        response.set_cookie(KNOWN_COOKIE, known.cookie_for(account_id), max_age=180 * 86400, httponly=True,
                            samesite="strict", path="/apply", secure=request.url.scheme == "https")
        return response

    async def register(request: Request) -> Response:
        data = await body(request)
        values = {k: text_field(data, k, limit=64) or "" for k in ("name", "id_number", "phone", "password", "sms_code")}
        now = state.now_dt()
        account = await platform.call(lambda d: d.accounts.register(now=now, **values))
        return await _open(request, account.account_id, 201)

    async def sign_in(request: Request) -> Response:
        data = await body(request)
        login = text_field(data, "login", limit=32) or ""
        password = text_field(data, "password", limit=200) or ""
        totp = text_field(data, "totp", required=False, limit=12)
        address = client_address(request)
        account_id = await platform.call(lambda d: d.accounts.find_login(login))
        known = (await platform.known_devices()).knows(request.cookies.get(KNOWN_COOKIE), account_id)
        wait = platform.limiter.wait(account_id, address, known_device=known)
        if wait > 0:
            seconds = int(wait) + 1
            raise HttpError("TOO_MANY_ATTEMPTS", zh=f"尝试次数过多，请 {seconds} 秒后再试",
                            en=f"too many attempts: try again in {seconds} seconds", headers={"Retry-After": str(seconds)})
        now = state.now_dt()
        try:
            account = await platform.call(lambda d: d.accounts.authenticate(login, password, totp, now))
        except SignInError as exc:
            if exc.code == "TOTP_REQUIRED":
                raise HttpError("TOTP_REQUIRED") from None
            platform.limiter.failed(account_id, address)
            raise HttpError("BAD_CREDENTIALS") from None
        platform.limiter.succeeded(account.account_id, address)
        return await _open(request, account.account_id, 200)

    async def sign_out(request: Request) -> Response:
        found = await platform.session(request)
        if found is not None:
            platform.check_csrf(request, request.headers.get("x-csrf-token"), found[0])
            await platform.call(lambda d: d.accounts.close_session(found[1]))
        response = Response(status_code=204)
        platform.set_session(response, request, None)
        return response

    async def me(request: Request) -> Response:
        session = await session_of(request, write=False)
        return ok({"account": account_view(session.account), "csrf": session.csrf})

    async def password_reset(request: Request) -> Response:
        data = await body(request)
        now = state.now_dt()
        await platform.call(lambda d: d.accounts.reset_password(
            login=text_field(data, "login", limit=32) or "", sms_code=text_field(data, "sms_code", limit=12) or "",
            password=text_field(data, "password", limit=200) or "", now=now))
        return ok({"reset": True})

    async def totp_begin(request: Request) -> Response:
        session = await session_of(request, write=True)
        uri = await platform.call(lambda d: d.accounts.totp_begin(session.account.account_id))
        return ok({"uri": uri})

    async def totp_confirm(request: Request) -> Response:
        session = await session_of(request, write=True)
        data = await body(request)
        code, now = text_field(data, "code", limit=12) or "", state.now_dt()
        await platform.call(lambda d: d.accounts.totp_confirm(session.account.account_id, code, now))
        return ok({"totp_enabled": True})

    async def applications(request: Request) -> Response:
        if request.method == "GET":
            session = await session_of(request, write=False)
            apps = await platform.call(lambda d: d.store.for_account(session.account.account_id))
            return ok({"applications": [application_view(a) for a in apps]})
        session = await session_of(request, write=True)
        data = await body(request)
        me_ = session.account
        claimed = text_field(data, "id_number", required=False, limit=20)
        if claimed is not None:
            try:
                same = validate_id_number(claimed) == me_.id_number
            except IdNumberError:
                same = False
            if not same:
                raise ProxyNotOnlineError("网上申请只能为本人办理，代办请到服务站现场申请",
                                          "online applications are only for yourself; proxies apply at a counter")
        kind, now = text_field(data, "kind", limit=32) or "", state.now_dt()
        app = await platform.call(lambda d: d.store.create(
            kind=kind, holder_name=me_.name, id_number=me_.id_number, phone=me_.phone,
            account_id=me_.account_id, actor=f"applicant:{me_.account_id}", now=now))
        return ok(application_view(app), 201)

    def detail(d: Desk, app: Application) -> dict[str, Any]:
        return application_view(app, timeline=d.store.timeline(app.app_id), evidence=d.evidence.list(app.app_id),
                                appointment=d.bookings.live(app.app_id))

    async def application(request: Request) -> Response:
        app_id = request.path_params["app_id"]
        if request.method == "GET":
            session = await session_of(request, write=False)
            return ok(await platform.call(lambda d: detail(d, own_application(d, app_id, session.account.account_id))))
        session = await session_of(request, write=True)
        data = await body(request)
        fields: dict[str, Any] = {}
        for name in _FIELDS:
            if name in data:
                value = data[name]
                if name == "residence_since" and isinstance(value, str):
                    try:
                        value = date.fromisoformat(value)
                    except ValueError:
                        raise InvalidFieldError(name, "日期格式无效", "residence_since must be YYYY-MM-DD") from None
                fields[name] = value
        actor, now = f"applicant:{session.account.account_id}", state.now_dt()

        def update(d: Desk) -> dict[str, Any]:
            own_application(d, app_id, session.account.account_id)
            return detail(d, d.store.update(app_id, actor=actor, now=now, **fields))

        return ok(await platform.call(update))

    def move(name: str) -> Callable[[Request], Any]:
        async def run(request: Request) -> Response:
            session = await session_of(request, write=True)
            app_id, actor, now = request.path_params["app_id"], f"applicant:{session.account.account_id}", state.now_dt()

            def act(d: Desk) -> dict[str, Any]:
                own_application(d, app_id, session.account.account_id)
                return detail(d, getattr(d.store, name)(app_id, actor=actor, now=now))

            return ok(await platform.call(act))
        return run

    async def evidence(request: Request) -> Response:
        session = await session_of(request, write=True)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_EVIDENCE_BYTES + 64 * 1024:
            raise HttpError("PAYLOAD_TOO_LARGE", zh="文件不能超过5MB", en="the file must be 5 MB or smaller")
        form = await request.form(max_files=1, max_fields=5, max_part_size=MAX_EVIDENCE_BYTES + 1)
        upload = form.get("file")
        data, name = b"", ""
        if isinstance(upload, UploadFile):
            data, name = await upload.read(MAX_EVIDENCE_BYTES + 1), upload.filename or ""
        kind = form.get("kind")
        app_id, actor, now = request.path_params["app_id"], f"applicant:{session.account.account_id}", state.now_dt()

        def add(d: Desk) -> dict[str, Any]:
            own_application(d, app_id, session.account.account_id)
            item = d.evidence.add(app_id, kind if isinstance(kind, str) else "", name, data, actor=actor, now=now)
            return {"evidence_id": item.evidence_id, "kind": item.kind.value, "content_type": item.content_type,
                    "size": item.size}

        return ok(await platform.call(add), 201)

    async def stations(request: Request) -> Response:
        session = await session_of(request, write=False)
        app_id, today = request.path_params["app_id"], state.now_dt().date()

        def read(d: Desk) -> dict[str, Any]:
            from .pages_booking import booking_view

            view = booking_view(d, app_id, session.account.account_id, today)
            return {"stations": [{**station_view(s), "busy": round(share, 3), "slots": [slot_view(x) for x in slots]}
                                 for s, share, slots in view["stations"]],
                    "suggestion": None if view["suggestion"] is None else slot_view(view["suggestion"])}

        return ok(await platform.call(read))

    async def appointment(request: Request) -> Response:
        session = await session_of(request, write=True)
        app_id, actor, now = request.path_params["app_id"], f"applicant:{session.account.account_id}", state.now_dt()
        if request.method == "DELETE":
            def cancel(d: Desk) -> None:
                own_application(d, app_id, session.account.account_id)
                d.bookings.cancel(app_id, actor=actor, now=now)
            await platform.call(cancel)
            return Response(status_code=204)
        data = await body(request)
        station_id = text_field(data, "station_id", limit=16) or ""
        half = text_field(data, "half", limit=4) or ""
        day_text = text_field(data, "day", limit=10) or ""
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise InvalidFieldError("day", "日期格式无效", "day must be YYYY-MM-DD") from None

        def book(d: Desk) -> dict[str, Any]:
            own_application(d, app_id, session.account.account_id)
            appt = d.bookings.book(app_id, station_id, day, half, actor=actor, now=now)
            return {"station_id": appt.station_id, "day": appt.day.isoformat(), "half": appt.half.value}

        return ok(await platform.call(book))

    async def notifications(request: Request) -> Response:
        session = await session_of(request, write=False)
        notes = await platform.call(lambda d: d.store.notifications(session.account.account_id))
        return ok({"notifications": [notification_view(n) for n in notes]})

    async def credentials(request: Request) -> Response:
        session = await session_of(request, write=False)
        today = state.now_dt().date()
        creds = await platform.call(lambda d: d.registry.find_by_id_number(session.account.id_number, today=today))
        return ok({"credentials": [credential_view(c) for c in creds]})

    async def enrolment(request: Request) -> Response:
        session = await session_of(request, write=True)
        cred_id, now = request.path_params["cred_id"], state.now_dt()
        me_ = session.account

        def create(d: Desk) -> str:
            from issuer.errors import NotFoundError
            from issuer.model import Status

            cred = d.registry.get(cred_id, today=now.date()) if len(cred_id) == 16 else None
            if cred is None or cred.id_number != me_.id_number or cred.status is not Status.ACTIVE:
                raise NotFoundError("证件不存在", "no such permit")
            return str(d.registry.devices.create_enrolment(cred.cred_id, now, actor=f"applicant:{me_.account_id}"))

        return ok({"code": await platform.call(create)}, 201)

    table: list[tuple[str, Callable[[Request], Any], list[str]]] = [
        ("/sms-codes", sms_code, ["POST"]),
        ("/accounts", register, ["POST"]),
        ("/session", sign_in, ["POST"]),
        ("/session", sign_out, ["DELETE"]),
        ("/me", me, ["GET"]),
        ("/password-reset", password_reset, ["POST"]),
        ("/totp", totp_begin, ["POST"]),
        ("/totp/confirm", totp_confirm, ["POST"]),
        ("/applications", applications, ["GET", "POST"]),
        ("/applications/{app_id}", application, ["GET", "PATCH"]),
        ("/applications/{app_id}/preview", move("preview"), ["POST"]),
        ("/applications/{app_id}/submit", move("submit"), ["POST"]),
        ("/applications/{app_id}/withdraw", move("withdraw"), ["POST"]),
        ("/applications/{app_id}/evidence", evidence, ["POST"]),
        ("/applications/{app_id}/stations", stations, ["GET"]),
        ("/applications/{app_id}/appointment", appointment, ["PUT", "DELETE"]),
        ("/notifications", notifications, ["GET"]),
        ("/credentials", credentials, ["GET"]),
        ("/credentials/{cred_id}/enrolment", enrolment, ["POST"]),
    ]
    return [Route(PREFIX + path, guarded(fn), methods=methods) for path, fn, methods in table]
