"""The applicant platform's routes: pages under ``/apply/``, the JSON API under
``/apply/api/v1/``, the administrator's station and calendar endpoints, static files."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from issuer.applications.evidence import evidence_directory
from issuer.state import ServiceState

from . import admin_routes, api
from .pages_account import account_routes
from .pages_application import application_routes
from .pages_booking import booking_routes
from .pages_phones import phone_routes
from .web import Platform

__all__ = ["STATIC", "routes"]

STATIC = Path(__file__).resolve().parent.parent / "static" / "apply"


def routes(state: ServiceState) -> list[BaseRoute]:
    platform = Platform(state, evidence_directory(state.config))

    async def home(request: Request) -> Response:
        found = await platform.session(request)
        return platform.render(request, "home.html", None if found is None else found[0])

    async def help_page(request: Request) -> Response:
        found = await platform.session(request)
        return platform.render(request, "help.html", None if found is None else found[0])

    async def to_home(request: Request) -> Response:
        return RedirectResponse("/apply/", status_code=307)

    return [
        Route("/apply", to_home, methods=["GET"]),
        Route("/apply/", home, methods=["GET", "HEAD"]),
        Route("/apply/help", help_page, methods=["GET", "HEAD"]),
        *account_routes(platform),
        *phone_routes(platform),
        *application_routes(platform),
        *booking_routes(platform),
        *api.routes(platform),
        *admin_routes.routes(platform),
        Mount("/apply/static", app=StaticFiles(directory=STATIC), name="apply-static"),
    ]
