"""Account pages: register, sign in and out, reset the password, two-step sign-in, the
account overview, and adding the permit to this phone. Server-rendered forms that work
without JavaScript; refusals are shown next to their field."""

from __future__ import annotations

import io
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from issuer.errors import InvalidFieldError, LifecycleError, NotFoundError
from issuer.idnumber import mask_id_number
from issuer.model import Status

from .accounts import Session, SignInError, normalise_phone
from .i18n import Words, lang_of
from .web import KNOWN_COOKIE, Platform, field_errors, form_text

__all__ = ["account_routes", "signed_in"]

BAD_LOGIN = ("身份号码、手机号码或密码错误", "The login or the password is wrong")
KNOWN_MAX_AGE = 180 * 86400


async def signed_in(platform: Platform, request: Request) -> tuple[Session, str] | Response:
    """The session, or a redirect to the sign-in page."""
    found = await platform.session(request)
    if found is None:
        return RedirectResponse("/apply/login", status_code=303)
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def account_routes(platform: Platform) -> list[Route]:
    state = platform.state

    async def register(request: Request) -> Response:
        words = Words(lang_of(request))
        if request.method == "GET":
            return platform.render(request, "register.html", form={})
        form = await platform.posted_form(request, None, max_fields=20)
        values = {k: form_text(form, k) for k in ("name", "id_number", "phone")}
        now = state.now_dt()
        try:
            if form_text(form, "action") == "send_code":
                phone = normalise_phone(values["phone"])
                await platform.call(lambda d: d.accounts.send_code(phone, "register", now))
                return platform.render(request, "register.html", form=values, flash=words("code_sent"))
            account = await platform.call(lambda d: d.accounts.register(
                name=values["name"], id_number=values["id_number"], phone=values["phone"],
                password=str(form.get("password") or "")[:200], sms_code=form_text(form, "sms_code", 12), now=now))
        except LifecycleError as exc:
            return platform.render(request, "register.html", form=values, errors=field_errors(exc, words), status=400)
        return await _signed_in_response(request, account.account_id)

    async def _signed_in_response(request: Request, account_id: str) -> Response:
        now = state.now_dt()
        token = await platform.call(lambda d: d.accounts.open_session(account_id, now))
        known = await platform.known_devices()
        response = RedirectResponse("/apply/account", status_code=303)
        platform.set_session(response, request, token)
        response.set_cookie(KNOWN_COOKIE, known.cookie_for(account_id), max_age=KNOWN_MAX_AGE, httponly=True,
                            samesite="strict", path="/apply", secure=request.url.scheme == "https")
        return response

    async def login(request: Request) -> Response:
        words = Words(lang_of(request))
        if request.method == "GET":
            return platform.render(request, "login.html", form={})
        form = await platform.posted_form(request, None, max_fields=20)
        login_name = form_text(form, "login", 32)
        password = str(form.get("password") or "")[:200]
        totp = form_text(form, "totp", 12) or None
        address = client_address(request)
        account_id = await platform.call(lambda d: d.accounts.find_login(login_name))
        known = (await platform.known_devices()).knows(request.cookies.get(KNOWN_COOKIE), account_id)
        wait = platform.limiter.wait(account_id, address, known_device=known)
        values = {"login": login_name}
        if wait > 0:
            seconds = int(wait) + 1
            return platform.render(request, "login.html", form=values, status=429,
                                   errors={"_": words("wait", s=seconds)}, retry_after=seconds)
        now = state.now_dt()
        try:
            account = await platform.call(lambda d: d.accounts.authenticate(login_name, password, totp, now))
        except SignInError as exc:
            if exc.code == "TOTP_REQUIRED":
                return platform.render(request, "login.html", form=values, ask_totp=True, status=401,
                                       errors={"totp": words.pick("请输入动态验证码", "Enter the authenticator code")})
            platform.limiter.failed(account_id, address)
            return platform.render(request, "login.html", form=values, ask_totp=bool(totp), status=401,
                                   errors={"password": words.pick(*BAD_LOGIN)})
        platform.limiter.succeeded(account.account_id, address)
        return await _signed_in_response(request, account.account_id)

    async def logout(request: Request) -> Response:
        found = await platform.session(request)
        form = await request.form(max_files=0, max_fields=5)
        if found is not None:
            platform.check_csrf(request, form_text(form, "csrf"), found[0])
            await platform.call(lambda d: d.accounts.close_session(found[1]))
        response = RedirectResponse("/apply/", status_code=303)
        platform.set_session(response, request, None)
        return response

    async def reset(request: Request) -> Response:
        words = Words(lang_of(request))
        if request.method == "GET":
            return platform.render(request, "reset.html", form={})
        form = await platform.posted_form(request, None, max_fields=20)
        values = {"login": form_text(form, "login", 32)}
        now = state.now_dt()
        try:
            if form_text(form, "action") == "send_code":
                def send(d: Any) -> None:
                    account_id = d.accounts.find_login(values["login"])
                    if account_id is not None:  # the same answer either way: no account finding
                        d.accounts.send_code(d.accounts.get(account_id).phone, "reset", now)
                await platform.call(send)
                return platform.render(request, "reset.html", form=values, flash=words("code_sent"))
            await platform.call(lambda d: d.accounts.reset_password(
                login=values["login"], sms_code=form_text(form, "sms_code", 12),
                password=str(form.get("password") or "")[:200], now=now))
        except LifecycleError as exc:
            return platform.render(request, "reset.html", form=values, errors=field_errors(exc, words), status=400)
        return platform.render(request, "message.html", title=words("reset"), text=words("reset_done"),
                               link="/apply/login", link_text=words("sign_in"))

    async def account(request: Request) -> Response:
        found = await signed_in(platform, request)
        if isinstance(found, Response):
            return found
        session, _ = found
        today = state.now_dt().date()
        me = session.account

        def read(d: Any) -> dict[str, Any]:
            credentials = d.registry.find_by_id_number(me.id_number, today=today)
            return {"applications": d.store.for_account(me.account_id), "credentials": credentials,
                    "phones": {c.cred_id: sum(p.active for p in d.registry.devices.list_devices(c.cred_id))
                               for c in credentials},
                    "notifications": d.store.notifications(me.account_id)}

        from issuer.applications.model import ApplicationKind

        return platform.render(request, "account.html", session, masked_id=mask_id_number(me.id_number),
                               kinds=list(ApplicationKind), **await platform.call(read))

    async def security(request: Request) -> Response:
        found = await signed_in(platform, request)
        if isinstance(found, Response):
            return found
        session, _ = found
        words = Words(lang_of(request))
        if request.method == "GET":
            return platform.render(request, "security.html", session)
        form = await platform.posted_form(request, session, max_fields=10)
        action, me, now = form_text(form, "action"), session.account.account_id, state.now_dt()

        def with_qr(uri: str | None, **values: Any) -> Response:
            if uri is None:
                return platform.render(request, "security.html", session, **values)
            buf = io.BytesIO()
            segno.make(uri, error="m").save(buf, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
            return platform.render(request, "security.html", session, qr_svg=buf.getvalue().decode(), uri=uri,
                                   **values)

        try:
            if action == "begin":
                return with_qr(await platform.call(lambda d: d.accounts.totp_begin(me)))
            if action == "confirm":
                await platform.call(lambda d: d.accounts.totp_confirm(me, form_text(form, "totp", 12), now))
            elif action == "disable":
                await platform.call(lambda d: d.accounts.totp_disable(me, str(form.get("password") or "")[:200]))
        except InvalidFieldError as exc:
            pending = await platform.call(lambda d: d.accounts.totp_pending_uri(me))
            return with_qr(pending, errors=field_errors(exc, words), status=400)
        return RedirectResponse("/apply/account/security", status_code=303)

    async def phone(request: Request) -> Response:
        """Add the permit to this phone: a one-time enrolment code, used at once by enrol.js."""
        found = await signed_in(platform, request)
        if isinstance(found, Response):
            return found
        session, _ = found
        form = await platform.posted_form(request, session, max_fields=5)
        cred_id = request.path_params["cred_id"]
        me, now = session.account, state.now_dt()

        def enrolment(d: Any) -> str:
            cred = d.registry.get(cred_id, today=now.date()) if len(cred_id) == 16 else None
            if cred is None or cred.id_number != me.id_number or cred.status is not Status.ACTIVE:
                raise NotFoundError("证件不存在", "no such permit")
            return str(d.registry.devices.create_enrolment(cred.cred_id, now, actor=f"applicant:{me.account_id}"))

        code = await platform.call(enrolment)
        return platform.render(request, "enrol.html", session, code=code)

    return [
        Route("/apply/register", register, methods=["GET", "POST"]),
        Route("/apply/login", login, methods=["GET", "POST"]),
        Route("/apply/logout", logout, methods=["POST"]),
        Route("/apply/reset", reset, methods=["GET", "POST"]),
        Route("/apply/account", account, methods=["GET"]),
        Route("/apply/account/security", security, methods=["GET", "POST"]),
        Route("/apply/credentials/{cred_id}/phone", phone, methods=["POST"]),
    ]
