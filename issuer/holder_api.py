"""The holder's phone API: enrol once with a code, then fetch live codes and offline passes.

* ``POST /v1/holder/enrol`` trades a one-time enrolment code for a device token.
  Failed attempts are limited per phone and per enrolment code, never per
  address alone (issuer.enrol_limits); the refusal carries the wait
  (``Retry-After``), which the page counts down.
* ``GET /v1/holder/live`` returns the code for the current period. The page draws
  the QR code itself; ``?svg=1`` adds a server-drawn SVG for clients that cannot.
  ``?disclose=name,id_tail`` signs the holder's choice of what a business may see
  into that code (``disclose=`` with nothing: validity only); anything but the
  names of ``keys.vocabulary.DISCLOSURE_BY_FIELD``, each at most once, is
  ``INVALID_DISCLOSURE``.
* ``GET /v1/holder/pass`` returns a signed offline pass with its TOTP parameters.
* ``GET /v1/holder/credential`` returns what the page shows next to the code: the holder's
  own details, the state with its reason and next step, and the endorsement window.

All but enrolment need ``Authorization: Bearer <device token>``; a revoked device
gets 401, a credential that cannot be shown (suspended, revoked, expired) gets 409.
"""

from __future__ import annotations

import io
from typing import Any, Callable

import segno
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from issuer.lifecycle import Lifecycle
from issuer.model import Credential, Device, Status
from issuer.registry import Registry
from keys.edge.errors import HttpError, define
from keys.timekeeping import beijing_date
from keys.vocabulary import DISCLOSURE_BY_FIELD, disclosure_byte

from .auth import bearer_token, unauthorized
from .device_use import note_device_use
from .enrol_limits import EnrolmentLimits
from .holder_state import endorsement_view, state_view
from .http_errors import ok, read_json, text_field
from .minting import NotMintable, require_mintable
from .state import ServiceState
from .views import holder_view


def enrolled_holder(
    request: Request, state: ServiceState, *, revoked_permit: bool = False,
) -> Callable[[Registry, Lifecycle], tuple[Device, Credential]]:
    """The phone presenting its device token and its credential, as a registry-worker call (401 otherwise).

    Checks the header before anything else is read; the call notes the device's use.
    With ``revoked_permit``, a phone removed because its permit was revoked is
    still answered, so the holder learns why the code is gone (and nothing more).
    """
    token = bearer_token(request)
    if token is None:
        raise unauthorized("请先绑定设备", "this device is not enrolled")
    now_dt = state.now_dt()
    today = now_dt.date()

    def run(reg: Registry, lc: Lifecycle) -> tuple[Device, Credential]:
        device = reg.devices.device_for_token(token, include_removed=revoked_permit)
        cred = None if device is None else reg.get(device.cred_id, today=today)
        if device is not None and not device.active and (cred is None or cred.status is not Status.REVOKED):
            cred = None  # removed on its own (by the holder or a clerk): not enrolled any more
        if cred is None or device is None:
            raise unauthorized("设备已解除绑定，请重新绑定", "this device is no longer enrolled")
        if device.active:
            note_device_use(reg, device.device_id, now_dt)
        return device, cred

    return run


INVALID_DISCLOSURE = define(
    "INVALID_DISCLOSURE", 400,
    "披露选择无效：disclose 只能是以逗号分隔的 "
    + "、".join(f"{field}（{bit.label.zh}）" for field, bit in DISCLOSURE_BY_FIELD.items()) + "，每项至多一次",
    "Invalid disclosure choice: disclose is a comma-separated list of "
    + ", ".join(f"{field} ({bit.label.en})" for field, bit in DISCLOSURE_BY_FIELD.items()) + ", each at most once",
)


def disclosure_choice(request: Request) -> int:
    """The ``disclose`` byte for the query's choice: 0 without ``disclose``, else the chosen fields.

    ``disclose=`` (empty) is a choice too: a business sees the validity and nothing more.
    """
    values = request.query_params.getlist("disclose")
    if not values:
        return 0
    fields = values[0].split(",") if values[0] else []
    if len(values) > 1 or len(set(fields)) != len(fields):
        raise HttpError(INVALID_DISCLOSURE, "disclose given twice")
    try:
        return disclosure_byte(fields)
    except ValueError as exc:
        raise HttpError(INVALID_DISCLOSURE, str(exc)) from None


def routes(state: ServiceState) -> list[Route]:
    worker = state.worker
    limits = EnrolmentLimits(state.now)

    def device_credential(request: Request) -> Callable[[Registry, Lifecycle], Credential]:
        find = enrolled_holder(request, state)
        return lambda reg, lc: find(reg, lc)[1]

    async def enrol(request: Request) -> Response:
        data = await read_json(request)
        code = text_field(data, "code", limit=32) or ""
        counted = limits.counted(request, data, code)
        limits.check(counted)
        label = text_field(data, "label", required=False, limit=64) or "手机 phone"
        now_dt = state.now_dt()
        try:
            token = await worker.call(lambda reg, lc: reg.devices.enrol_device(code, label, now_dt))
        except Exception:
            limits.failed(counted)
            raise
        return ok({"device_token": token}, 201)

    async def live(request: Request) -> Response:
        cred = await worker.call(device_credential(request))
        disclose = disclosure_choice(request)
        now = state.now()
        code = state.minter.mint_live(cred, now, disclose)
        body: dict[str, Any] = code.to_json()
        if request.query_params.get("svg") in ("1", "true"):
            buf = io.BytesIO()
            segno.make(code.code, error="m", micro=False, boost_error=False).save(
                buf, kind="svg", scale=1, border=4, omitsize=True, xmldecl=False, svgns=True)
            body["qr_svg"] = buf.getvalue().decode("ascii")
        return ok(body)

    async def offline_pass(request: Request) -> Response:
        cred = await worker.call(device_credential(request))
        return ok(state.minter.mint_pass(cred, state.now()).to_json())

    async def credential(request: Request) -> Response:
        holder = enrolled_holder(request, state, revoked_permit=True)

        def find(reg: Registry, lc: Lifecycle) -> Credential:
            return holder(reg, lc)[1]

        today = beijing_date(state.now_dt())

        def run(reg: Registry, lc: Lifecycle) -> tuple[Credential, dict[str, Any], dict[str, Any]]:
            cred = find(reg, lc)
            return (cred, state_view(cred, reg.audit_entries(cred.cred_id)),
                    endorsement_view(cred, lc.policy, today))

        cred, status_state, endorsement = await worker.call(run)
        view = holder_view(cred)
        view["state"] = status_state
        view["endorsement"] = endorsement
        try:
            require_mintable(cred, state.now())
            view["can_show"] = True
        except NotMintable:
            view["can_show"] = False
        view["period"] = state.minter.period_s
        return ok(view)

    return [
        Route("/v1/holder/enrol", enrol, methods=["POST"]),
        Route("/v1/holder/live", live, methods=["GET"]),
        Route("/v1/holder/pass", offline_pass, methods=["GET"]),
        Route("/v1/holder/credential", credential, methods=["GET"]),
    ]
