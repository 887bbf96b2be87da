"""Signing in and out of the console, and the language switch."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from issuer.errors import SignInError
from issuer.lifecycle import Lifecycle
from issuer.officers.sessions import ConsoleSession, SessionStore
from issuer.officers.store import OfficerStore
from issuer.registry import Registry

from .i18n import LANG_COOKIE, language
from .web import SESSION_COOKIE, Console, Page

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "console"


def _local(target: str | None) -> str:
    """Only paths inside the console are followed after sign-in (no open redirect)."""
    if not target or not target.startswith("/console/") or target.startswith("//") or "\\" in target:
        return "/console/"
    return target


def routes(console: Console) -> list[BaseRoute]:
    state = console.state

    async def signin_page(request: Request) -> Response:
        return console.render(request, "signin.html", None, next=_local(request.query_params.get("next")),
                              failed="")

    async def signin(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
        values = {k: form.get(k) for k in ("username", "password", "otp", "next")}
        username, password, otp, nxt = (v if isinstance(v, str) else "" for v in values.values())
        now = state.now_dt()

        def run(reg: Registry, lc: Lifecycle) -> tuple[str, ConsoleSession]:
            officer = OfficerStore(reg).authenticate(username[:64], password[:256], otp[:16], now=now)
            return SessionStore(reg).open(officer, now=now)

        try:
            token, _ = await state.worker.call(run)
        except SignInError as exc:
            lang = language(request)
            return console.render(request, "signin.html", None, 401, next=_local(nxt),
                                  failed=f"{exc.message_en if lang == 'en' else exc.message_zh} [{exc.code}]")
        response = RedirectResponse(_local(nxt), 303)
        response.set_cookie(SESSION_COOKIE, token, path="/console", httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    @console.page(None)
    async def signout(page: Page) -> Response:
        await console.form(page)
        token = page.request.cookies.get(SESSION_COOKIE, "")
        now = state.now_dt()
        await state.worker.call(lambda reg, lc: SessionStore(reg).close(token, now=now))
        response = RedirectResponse("/console/signin", 303)
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    async def switch_language(request: Request) -> Response:
        to = "en" if request.query_params.get("to") == "en" else "zh"
        response = RedirectResponse(_local(request.query_params.get("next")), 303)
        response.set_cookie(LANG_COOKIE, to, path="/console", samesite="lax", max_age=365 * 86400)
        return response

    return [
        Route("/console/signin", signin_page, methods=["GET", "HEAD"]),
        Route("/console/signin", signin, methods=["POST"]),
        Route("/console/signout", signout, methods=["POST"]),
        Route("/console/lang", switch_language, methods=["GET"]),
        Mount("/console/static", app=StaticFiles(directory=STATIC_DIR), name="console-static"),
    ]

