"""``/v1/keys``: an organisation's admin key manages the organisation's keys (``verifier.key_admin``).

Authenticated like every other call (Bearer key, or the business page's
session cookie with ``X-Requested-With: scanner``); the caller must be an
admin key of an organisation, and acts only on that organisation's keys. A
plain key appears once, in the answer to its creation, with ``no-store``.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from keys.edge.body import json_object, read_json
from keys.edge.env import ConfigError
from keys.edge.errors import HttpError

from ..auth import ApiKey, Caller
from ..key_admin import KeyAdminError, create_key, key_summary, keys_of, revoke_for
from ..service import Service
from .authn import Authn
from .errors import NO_STORE, RETRY_AFTER_S

log = logging.getLogger("verifier.key_admin")

KEYS_BODY_LIMIT = 1024
T = TypeVar("T")


def routes(service: Service, authn: Authn) -> list[Route]:
    path = service.config.api_keys_file

    def admin_key(caller: Caller) -> ApiKey:
        key = service.keys.by_name(caller.name)
        if key is None or not key.admin or key.organisation is None:
            raise HttpError("KEYS_ADMIN_ONLY")
        return key

    async def run(fn: Callable[..., T], *args: Any) -> T:
        """A key file act on a worker thread (it waits for the file's lock); its refusal as the API's error."""
        try:
            return await run_in_threadpool(fn, *args)
        except KeyAdminError as exc:
            raise HttpError(exc.code, exc.detail) from None
        except (OSError, ConfigError) as exc:  # a read-only or broken key file: the operator's to fix
            log.error("key self-service: the key file cannot be used: %s", exc)
            raise HttpError("SERVICE_UNAVAILABLE", "the key file cannot be read or written",
                            headers={"Retry-After": RETRY_AFTER_S}) from None

    async def listing(request: Request) -> Response:
        admin = admin_key(await authn.caller(request, unsafe=False))
        keys = await run(keys_of, path, admin.organisation)
        org = service.organisations.of(admin.name, admin.role, admin.organisation)
        return JSONResponse({
            "organisation": {"id": org.id, "name_zh": org.name_zh, "name_en": org.name_en, "role": org.role},
            "you": admin.name,
            "keys": [key_summary(k) for k in keys],
        }, headers=NO_STORE)

    async def create(request: Request) -> Response:
        admin = admin_key(await authn.caller(request))
        body = json_object(await read_json(request, KEYS_BODY_LIMIT), "name")
        made = await run(create_key, path, admin, body["name"], service.clock())
        return JSONResponse({**key_summary(made.key), "key": made.plain}, status_code=201, headers=NO_STORE)

    async def revoke(request: Request) -> Response:
        admin = admin_key(await authn.caller(request))
        revoked = await run(revoke_for, path, admin, request.path_params["name"], service.clock())
        return JSONResponse(key_summary(revoked), headers=NO_STORE)

    return [
        Route("/v1/keys", listing, methods=["GET"]),
        Route("/v1/keys", create, methods=["POST"]),
        Route("/v1/keys/{name}", revoke, methods=["DELETE"]),
    ]
