"""The console's plumbing: who is signed in, CSRF-checked forms, rendering, refusals as pages.

``Console.page(act)`` wraps an endpoint: it finds the officer's session (a GET
without one is sent to the sign-in page, anything else gets 401), checks the role
for ``act``, and turns every refusal (``LifecycleError``, ``HttpError``) into an
error page with the same stable code and bilingual message the JSON APIs use.
A request carrying an ``Authorization`` header (an API key or the admin token) is
refused with its own code: the console is for named officers only.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, Callable
from urllib.parse import quote

import jinja2
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from issuer.errors import ForbiddenError, LifecycleError
from issuer.http_errors import lifecycle_http_error
from issuer.officers.roles import Act
from issuer.lifecycle import Lifecycle
from issuer.officers.sessions import ConsoleSession, SessionStore
from issuer.officers.store import station_of
from issuer.registry import Registry
from issuer.state import ServiceState
from keys.districts import district_by_code
from keys.edge.errors import HttpError, define

from .i18n import language, notice, translate

__all__ = ["CONSOLE_CSP", "SESSION_COOKIE", "Console", "Handler", "Page"]

SESSION_COOKIE = "console_session"
CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
MAX_FORM_PART = 64 * 1024

define("CONSOLE_OFFICERS_ONLY", 401, "工作台只供警员本人账号登录使用，API 密钥和令牌不能打开工作台",
       "The console is for officers signed in with their own account; API keys and tokens cannot open it")
define("CSRF_TOKEN_INVALID", 403, "表单已过期，请返回重新提交", "The form expired; go back and send it again")
define("SIGN_IN_REQUIRED", 401, "请先登录", "Sign in first")


class SignInNeeded(Exception):
    """No live officer session."""


@dataclass(frozen=True)
class Page:
    """One request to a console page: the request, the officer's session, the language."""

    request: Request
    session: ConsoleSession
    lang: str
    station: str  # the officer's station as printed: name and id

    @property
    def officer(self) -> Any:
        return self.session.officer

    @property
    def actor(self) -> str:
        return str(self.session.officer.actor)


Handler = Callable[[Page], Awaitable[Response]]


class Console:
    """Shared by every console route group."""

    def __init__(self, state: ServiceState) -> None:
        self.state = state
        self.env = jinja2.Environment(loader=jinja2.PackageLoader("issuer.console", "templates"),
                                      autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                      undefined=jinja2.StrictUndefined)

    # ---- sessions ------------------------------------------------------------

    async def session(self, request: Request) -> tuple[ConsoleSession, str] | None:
        """The officer's live session and their station's printed name, or None."""
        token = request.cookies.get(SESSION_COOKIE, "")
        if not token:
            return None
        now = self.state.now_dt()

        def run(reg: Registry, lc: Lifecycle) -> tuple[ConsoleSession, str] | None:
            session = SessionStore(reg).get(token, now=now)
            if session is None:
                return None
            try:
                s = station_of(reg, session.officer.station)
                label = f"{district_by_code(s.district_code).name_zh} {s.name_zh} / {s.name_en} ({s.station_id})"
            except LifecycleError:
                label = session.officer.station
            return session, label

        return await self.state.worker.call(run)

    def page(self, act: Act | None) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
        def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
            async def endpoint(request: Request) -> Response:
                lang = language(request)
                page: Page | None = None
                try:
                    if "authorization" in request.headers:
                        raise HttpError("CONSOLE_OFFICERS_ONLY")
                    found = await self.session(request)
                    if found is None:
                        raise SignInNeeded()
                    session, station = found
                    if act is not None and not session.officer.may(act):
                        raise ForbiddenError(f"“{session.officer.role.name_zh}”无权办理此项业务",
                                             f"a {session.officer.role.value} may not do this")
                    page = Page(request, session, lang, station)
                    return await handler(page)
                except SignInNeeded:
                    if request.method in ("GET", "HEAD"):
                        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                        return RedirectResponse(f"/console/signin?next={quote(target, safe='')}", 303)
                    return self.error(request, None, 401, "SIGN_IN_REQUIRED", "请先登录", "sign in first")
                except LifecycleError as exc:
                    refusal = lifecycle_http_error(exc)
                    return self.error(request, page, refusal.status, refusal.code,
                                      exc.message_zh, exc.message_en, getattr(exc, "problems", None))
                except HttpError as exc:
                    return self.error(request, page, exc.status, exc.code, exc.zh, exc.en)

            endpoint.__name__ = handler.__name__
            return endpoint

        return wrap

    # ---- forms ---------------------------------------------------------------

    async def form(self, page: Page, *, files: int = 0) -> FormData:
        """The posted form, refused unless it carries this session's CSRF token."""
        form = await page.request.form(max_files=files, max_fields=200, max_part_size=MAX_FORM_PART)
        token = form.get("csrf")
        if not isinstance(token, str) or not hmac.compare_digest(token.encode(), page.session.csrf.encode()):
            raise HttpError("CSRF_TOKEN_INVALID", zh="表单已过期，请返回重新提交", en="the form expired; go back and send it again")
        return form

    # ---- rendering -------------------------------------------------------------

    def render(self, request: Request, template: str, page: Page | None, status: int = 200,
               **context: Any) -> HTMLResponse:
        lang = page.lang if page is not None else language(request)
        context["notice"] = notice(lang, request.query_params.get("done", "")[:20])
        body = self.env.get_template(template).render(
            t=lambda key: translate(lang, key), lang=lang, page=page,
            officer=page.officer if page else None, csrf=page.session.csrf if page else "",
            path=request.url.path, Act=Act, **context)
        return HTMLResponse(body, status_code=status, headers={
            "Cache-Control": "no-store", "Content-Security-Policy": CONSOLE_CSP})

    def error(self, request: Request, page: Page | None, status: int, code: str, zh: str, en: str,
              problems: dict[str, tuple[str, str]] | None = None) -> HTMLResponse:
        return self.render(request, "error.html", page, status, code=code, zh=zh, en=en,
                           problems=problems or {})

    def now(self) -> datetime:
        return self.state.now_dt()


def field(form: FormData, name: str, *, limit: int = 500, required: bool = True) -> str:
    """A text field of a posted form, stripped; INVALID_INPUT when missing, too long or not text."""
    value = form.get(name)
    if isinstance(value, UploadFile) or (value is None and required):
        raise HttpError("INVALID_INPUT", zh=f"请填写“{name}”", en=f"fill in {name}")
    text = (value or "").strip()
    if required and not text:
        raise HttpError("INVALID_INPUT", zh=f"请填写“{name}”", en=f"fill in {name}")
    if len(text) > limit or any(ord(c) < 32 and c not in "\r\n\t" for c in text):
        raise HttpError("INVALID_INPUT", zh=f"“{name}”过长或含有控制字符", en=f"{name} is too long or has control characters")
    return text
