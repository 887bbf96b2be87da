"""Officer accounts for administrators: create, disable, enable, reset.

A new or reset account's password and TOTP secret are shown once, with a QR code
for the authenticator app; only the argon2 hash and the secret stay in the
registry. Administrators manage accounts but decide no permits (issuer.officers.roles).
"""

from __future__ import annotations

import segno
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from issuer.applications.stations import Station, StationDirectory
from issuer.applications.store import ApplicationStore
from issuer.errors import ForbiddenError, NotFoundError
from issuer.lifecycle import Lifecycle
from issuer.officers.model import NewOfficerSecrets, Officer
from issuer.officers.roles import Act, Role
from issuer.officers.store import OfficerStore
from issuer.registry import Registry

from .web import Console, Page, field

__all__ = ["routes"]


def routes(console: Console) -> list[BaseRoute]:
    state = console.state

    def listing(reg: Registry, lc: Lifecycle) -> tuple[list[Officer], list[Station]]:
        return OfficerStore(reg).roster(), StationDirectory(ApplicationStore(reg).sql).all()

    @console.page(Act.OFFICERS)
    async def roster(page: Page) -> Response:
        officers, stations = await state.worker.call(listing)
        return console.render(page.request, "officers.html", page, officers=officers, stations=stations,
                              roles=list(Role))

    def shown_once(page: Page, secrets: NewOfficerSecrets) -> Response:
        qr = segno.make(secrets.totp_uri, error="m").svg_inline(scale=4, title="TOTP")
        return console.render(page.request, "officer_secrets.html", page, secrets=secrets, qr=qr)

    @console.page(Act.OFFICERS)
    async def create(page: Page) -> Response:
        form = await console.form(page)
        username, name = field(form, "username", limit=32), field(form, "display_name", limit=50)
        role, station = field(form, "role", limit=16), field(form, "station", limit=16)
        now, actor = console.now(), page.actor
        secrets = await state.worker.call(lambda reg, lc: OfficerStore(reg).create(
            username, name, role, station, actor=actor, now=now))
        return shown_once(page, secrets)

    @console.page(Act.OFFICERS)
    async def change(page: Page) -> Response:
        username = str(page.request.path_params["username"])[:32]
        action = str(page.request.path_params["action"])
        if action not in ("disable", "enable", "reset"):
            raise NotFoundError("未找到", "not found")
        form = await console.form(page)
        if form.get("confirm") != "yes":
            raise ForbiddenError("请勾选确认", "tick the confirmation box")
        if username == page.officer.username and action != "reset":
            raise ForbiddenError("不能停用本人账号", "you cannot disable your own account")
        now, actor = console.now(), page.actor
        if action == "reset":
            secrets = await state.worker.call(lambda reg, lc: OfficerStore(reg).reset(username, actor=actor, now=now))
            return shown_once(page, secrets)
        await state.worker.call(lambda reg, lc: OfficerStore(reg).set_active(
            username, action == "enable", actor=actor, now=now))
        officers, stations = await state.worker.call(listing)
        return console.render(page.request, "officers.html", page, officers=officers, stations=stations,
                              roles=list(Role))

    return [
        Route("/console/officers", roster, methods=["GET"]),
        Route("/console/officers", create, methods=["POST"]),
        Route("/console/officers/{username}/{action:str}", change, methods=["POST"]),
    ]
