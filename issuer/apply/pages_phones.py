"""挂失 (lost phone) from the applicant account: the signed-in holder removes every phone of a permit.

The holder page offers 挂失 from another enrolled phone (issuer.holder_phones);
a holder whose only phone was lost or stolen has no other phone, so the
applicant account, signed in with the password (and the second step when it is
on), does the same for every phone at once. Each removed phone's token is
refused from the next request and its device key reads revoked in the next
status list. The act is written to the audit log as
``applicant:<account id>``, the person who did it.

Only the account whose ID number is the permit's may do it; a permit of anyone
else is answered as one that does not exist. The form asks for an explicit
confirmation (a checkbox, so it works without JavaScript).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from issuer.errors import NotFoundError

from .i18n import Words, lang_of
from .pages_account import signed_in
from .web import Platform, form_text

__all__ = ["phone_routes"]


def phone_routes(platform: Platform) -> list[Route]:
    state = platform.state

    async def lost(request: Request) -> Response:
        found = await signed_in(platform, request)
        if isinstance(found, Response):
            return found
        session, _ = found
        words = Words(lang_of(request))
        form = await platform.posted_form(request, session, max_fields=5)
        cred_id = request.path_params["cred_id"]
        me, now = session.account, state.now_dt()
        if form_text(form, "confirm") != "yes":
            return platform.render(request, "message.html", session, status=400, title=words("lost_title"),
                                   text=words("lost_unconfirmed"), link="/apply/account", link_text=words("account"))

        def remove(d: Any) -> int:
            cred = d.registry.get(cred_id, today=now.date()) if len(cred_id) == 16 else None
            if cred is None or cred.id_number != me.id_number:
                raise NotFoundError("证件不存在", "no such permit")
            return int(d.registry.devices.revoke_all_devices(cred.cred_id, now, actor=f"applicant:{me.account_id}"))

        count = await platform.call(remove)
        return platform.render(request, "message.html", session, title=words("lost_title"),
                               text=words("lost_done", n=count), link="/apply/account", link_text=words("account"))

    return [Route("/apply/credentials/{cred_id}/lost", lost, methods=["POST"])]
