"""The holder phone's device-bound mode: register its public key, fetch device passes.

* ``POST /v1/holder/device-key`` ``{"alg": "Ed25519" | "P-256", "public_key": base64url}``
  registers the public half of the key pair the holder page created with
  WebCrypto (non-extractable, kept in the browser's IndexedDB). The raw export
  is sent as is: 32 bytes for Ed25519, 65 for P-256 (the issuer compresses it).
  The same key again is a no-op; a different key replaces the old one, whose
  passes stop verifying.
* ``GET /v1/holder/device-pass`` returns a pass signed for that key, valid for the
  issuer's pass lifetime; the page renews it when online after ``renew_after``.

Both need the device token (``Authorization: Bearer``); a revoked device gets
401, a credential that cannot be shown 409, a device without a key 409
``DEVICE_KEY_REQUIRED``.
"""

from __future__ import annotations

import binascii

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from issuer.device_keys import DeviceKey
from issuer.lifecycle import Lifecycle
from issuer.model import Credential
from issuer.registry import Registry
from keys.device_key import DeviceKeyError, key_field
from keys.edge.errors import HttpError, define
from keys.keyset import unb64u

from .holder_api import enrolled_holder
from .http_errors import ok, read_json, text_field
from .state import ServiceState

define("INVALID_DEVICE_KEY", 400, "设备公钥无效", "Not an Ed25519 or P-256 public key")
define("DEVICE_KEY_REQUIRED", 409, "本机尚未登记设备密钥", "This device has not registered a key")

def routes(state: ServiceState) -> list[Route]:
    worker = state.worker

    async def register_key(request: Request) -> Response:
        device, _ = await worker.call(enrolled_holder(request, state))  # who asks, before what they send
        data = await read_json(request)
        alg = text_field(data, "alg", limit=16) or ""
        encoded = text_field(data, "public_key", limit=128) or ""
        try:
            field = key_field(alg, unb64u(encoded))
        except (DeviceKeyError, ValueError, binascii.Error):
            raise HttpError("INVALID_DEVICE_KEY") from None
        now_dt = state.now_dt()
        key = await worker.call(lambda reg, lc: reg.device_keys.register(device.device_id, field, now_dt))
        return ok({"alg": key.alg.value, "registered_at": int(key.registered_at.timestamp())}, 201)

    async def device_pass(request: Request) -> Response:
        find = enrolled_holder(request, state)

        def run(reg: Registry, lc: Lifecycle) -> tuple[Credential, DeviceKey | None]:
            device, cred = find(reg, lc)
            return cred, reg.device_keys.current(device.device_id)

        cred, key = await worker.call(run)
        if key is None:
            raise HttpError("DEVICE_KEY_REQUIRED")
        minted = state.minter.mint_device_pass(cred, key.key_field, key.status_index, state.now())
        return ok(minted.to_json())

    return [
        Route("/v1/holder/device-key", register_key, methods=["POST"]),
        Route("/v1/holder/device-pass", device_pass, methods=["GET"]),
    ]
