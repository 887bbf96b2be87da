"""The holder's own phones, managed from any of them.

* ``GET /v1/holder/devices`` lists the permit's enrolled phones: label, when
  enrolled, when last used (to a few minutes, issuer.device_use) and which one
  is asking.
* ``POST /v1/holder/devices/{device_id}/remove`` removes one of them at once: its
  token is refused from the next request, and its device key's status index
  reads revoked in the next status list (issuer.device_keys).
* ``POST /v1/holder/lost`` (挂失) removes every phone but the one asking, for a
  holder whose other phone was lost or stolen.

Each act is written to the audit log under the asking phone's name
(``holder:device:<id>``), so the record says which phone did it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from issuer.device_use import last_uses
from issuer.errors import NotFoundError
from issuer.lifecycle import Lifecycle
from issuer.registry import Registry

from .holder_api import enrolled_holder
from .http_errors import ok
from .state import ServiceState


def _actor(device_id: int) -> str:
    return f"holder:device:{device_id}"


def routes(state: ServiceState) -> list[Route]:
    worker = state.worker

    async def list_phones(request: Request) -> Response:
        find = enrolled_holder(request, state)

        def run(reg: Registry, lc: Lifecycle) -> list[dict[str, Any]]:
            me, cred = find(reg, lc)
            used = last_uses(reg, cred.cred_id)
            return [{
                "device_id": d.device_id,
                "label": d.label,
                "enrolled_at": d.enrolled_at.isoformat(),
                "last_used_at": used[d.device_id].isoformat() if d.device_id in used else None,
                "this_phone": d.device_id == me.device_id,
            } for d in reg.devices.list_devices(cred.cred_id) if d.active]

        return ok({"devices": await worker.call(run)})

    async def remove(request: Request) -> Response:
        find = enrolled_holder(request, state)
        raw = request.path_params["device_id"]
        now_dt = state.now_dt()

        def run(reg: Registry, lc: Lifecycle) -> dict[str, Any]:
            me, cred = find(reg, lc)
            target = reg.devices.get_device(int(raw))
            if target is None or target.cred_id != cred.cred_id or not target.active:
                # Another permit's phone is none of this holder's business: the same answer as no phone.
                raise NotFoundError(f"设备 {raw} 不存在", f"device {raw} not found")
            reg.devices.revoke_device(target.device_id, now_dt, actor=_actor(me.device_id))
            return {"removed": target.device_id, "this_phone": target.device_id == me.device_id}

        return ok(await worker.call(run))

    async def lost(request: Request) -> Response:
        find = enrolled_holder(request, state)
        now_dt = state.now_dt()

        def run(reg: Registry, lc: Lifecycle) -> dict[str, Any]:
            me, cred = find(reg, lc)
            removed = []
            with reg.transaction():
                for d in reg.devices.list_devices(cred.cred_id):
                    if d.active and d.device_id != me.device_id:
                        reg.devices.revoke_device(d.device_id, now_dt, actor=_actor(me.device_id))
                        removed.append(d.device_id)
            return {"removed": removed}

        return ok(await worker.call(run))

    return [
        Route("/v1/holder/devices", list_phones, methods=["GET"]),
        Route("/v1/holder/devices/{device_id:int}/remove", remove, methods=["POST"]),
        Route("/v1/holder/lost", lost, methods=["POST"]),
    ]
