"""What every applicant page and API call shares: the platform's parts, the session, CSRF.

`Platform` is built once per service. Registry work runs on the registry's thread
through `Platform.call(fn)`, where ``fn`` receives a `Desk`: the account store,
the application store, bookings and evidence over the one registry connection.

Sessions live in an HttpOnly, SameSite=Lax cookie limited to ``/apply``. Every
state-changing request must carry the session's CSRF token (a hidden form field,
or the ``X-CSRF-Token`` header for the JSON API); before sign-in, forms use a
double-submit cookie instead. A request whose Origin names another site is refused.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from issuer.applications.appointments import Bookings
from issuer.applications.evidence import EvidenceFiles
from issuer.applications.store import ApplicationStore
from issuer.errors import ApplicationIncompleteError, InvalidFieldError, LifecycleError
from issuer.lifecycle import Lifecycle
from keys.timekeeping import BEIJING
from issuer.registry import Registry
from issuer.state import ServiceState
from keys.edge.errors import HttpError, define

from .accounts import AccountStore, Session
from .i18n import LANG_COOKIE, Words, lang_of
from .signin_limits import KnownDevices, SignInLimiter

__all__ = ["Desk", "Platform", "field_errors"]

T = TypeVar("T")

define("CSRF", 403, "请求来源无效或页面已过期", "Cross-site request refused, or the form has expired")
SESSION_COOKIE = "apply_session"
PRE_COOKIE = "apply_pre"
KNOWN_COOKIE = "apply_known"
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store"}
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class Desk:
    """Everything a request may touch in the registry, on the registry's thread."""

    registry: Registry
    lifecycle: Lifecycle
    accounts: AccountStore
    store: ApplicationStore
    bookings: Bookings
    evidence: EvidenceFiles


class Platform:
    def __init__(self, state: ServiceState, evidence_dir: Path) -> None:
        self.state = state
        self.evidence_dir = evidence_dir
        self.limiter = SignInLimiter(state.now)
        self._known: KnownDevices | None = None
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
        self.env.filters["bj"] = lambda at: at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")

    def desk(self, reg: Registry, lc: Lifecycle) -> Desk:
        store = ApplicationStore(reg, sms=self.state.sms)
        return Desk(reg, lc, AccountStore(reg, sms=self.state.sms), store, Bookings(store),
                    EvidenceFiles(store, self.evidence_dir))

    async def call(self, fn: Callable[[Desk], T]) -> T:
        return await self.state.worker.call(lambda reg, lc: fn(self.desk(reg, lc)))

    async def known_devices(self) -> KnownDevices:
        if self._known is None:
            key = await self.call(lambda d: d.accounts.secret("known-device"))
            self._known = KnownDevices(key)
        return self._known

    # ---- sessions ------------------------------------------------------------

    async def session(self, request: Request) -> tuple[Session, str] | None:
        """The signed-in session and its token, or None."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token or len(token) > 128:
            return None
        now = self.state.now_dt()
        found = await self.call(lambda d: d.accounts.session(token, now))
        return None if found is None else (found, token)

    @staticmethod
    def set_session(response: Response, request: Request, token: str | None) -> None:
        if token is None:
            response.delete_cookie(SESSION_COOKIE, path="/apply")
            return
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/apply",
                            secure=request.url.scheme == "https")

    # ---- CSRF ---------------------------------------------------------------

    @staticmethod
    def check_origin(request: Request) -> None:
        origin = request.headers.get("origin")
        if origin and origin != "null":
            expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
            if origin != expected:
                raise HttpError("CSRF", zh="请求来源无效", en="cross-site request refused")

    @staticmethod
    def check_csrf(request: Request, sent: str | None, session: Session | None) -> None:
        """The session's token (signed in) or the double-submit cookie's (signed out) must match."""
        Platform.check_origin(request)
        expected = session.csrf if session is not None else request.cookies.get(PRE_COOKIE)
        if not expected or not sent or not hmac.compare_digest(expected, sent):
            raise HttpError("CSRF", zh="页面已过期，请刷新后重试", en="the form has expired: reload the page and try again")

    async def posted_form(self, request: Request, session: Session | None, *, max_files: int = 0,
                          max_fields: int = 20, max_part_size: int = 64 * 1024) -> FormData:
        """A submitted form, refused (403 CSRF) unless it carries the right token."""
        form = await request.form(max_files=max_files, max_fields=max_fields, max_part_size=max_part_size)
        self.check_csrf(request, form_text(form, "csrf"), session)
        return form

    # ---- pages --------------------------------------------------------------

    def render(self, request: Request, template: str, session: Session | None = None, *, status: int = 200,
               **values: Any) -> HTMLResponse:
        lang = lang_of(request)
        pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
        retry_after = values.pop("retry_after", None)
        body = self.env.get_template(template).render(
            t=Words(lang), lang=lang, session=session, account=None if session is None else session.account,
            csrf=session.csrf if session is not None else pre, path=request.url.path,
            errors=values.pop("errors", {}), **values)
        response = HTMLResponse(body, status_code=status, headers=PAGE_HEADERS)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        if session is None and not request.cookies.get(PRE_COOKIE):
            response.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict", path="/apply",
                                secure=request.url.scheme == "https")
        if request.query_params.get("lang") in ("zh", "en"):
            response.set_cookie(LANG_COOKIE, lang, samesite="lax", path="/", max_age=365 * 86400)
        return response


def field_errors(exc: LifecycleError, words: Words) -> dict[str, str]:
    """A refusal as messages by field (``_`` for the page as a whole), in the page's language."""
    if isinstance(exc, ApplicationIncompleteError):
        return {name: words.pick(*texts) for name, texts in exc.problems.items()}
    name = exc.field if isinstance(exc, InvalidFieldError) else "_"
    return {name: words.pick(exc.message_zh, exc.message_en)}


def form_text(form: Mapping[str, Any], name: str, limit: int = 200) -> str:
    """A text field of a submitted form ('' when absent); control characters removed."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch.isprintable())[:limit].strip()
