"""What the router itself answers: unknown paths, wrong methods, OPTIONS, and its own HTTP errors.

Starlette answers a wrong method with the ``Allow`` of the first route whose
path matched, so a path served by three routes (``POST``, ``GET`` and ``DELETE``
of ``/v1/session``) advertised one method. Here ``Allow`` lists every method of
every route on the path, ``OPTIONS`` is answered 204 with that list, and every
other refusal of the router uses the shared error body.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route

from .errors import HttpError, error_response

_STATUS_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE"}


def allowed_methods(routes: Iterable[BaseRoute], scope: Mapping[str, Any]) -> list[str]:
    """Every method some route accepts on the request's path, OPTIONS included, sorted."""
    methods: set[str] = set()
    probe = {**scope, "method": "GET"}
    for route in routes:
        if isinstance(route, Route) and route.methods and route.matches(probe)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods | {"OPTIONS"}) if methods else []


def _allow(request: Request) -> str:
    return ", ".join(allowed_methods(request.app.router.routes, request.scope))


async def on_not_found(request: Request, exc: Exception) -> Response:
    return error_response("NOT_FOUND")


async def on_method_not_allowed(request: Request, exc: Exception) -> Response:
    allow = _allow(request)
    if request.method == "OPTIONS" and allow:
        return Response(status_code=204, headers={"Allow": allow, "Cache-Control": "no-store"})
    return error_response("METHOD_NOT_ALLOWED", headers={"Allow": allow} if allow else None)


async def on_http_exception(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 400
    if status == 404:
        return await on_not_found(request, exc)
    if status == 405:
        return await on_method_not_allowed(request, exc)
    return error_response(_STATUS_CODES.get(status, "INVALID_INPUT"))


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpError)
    return exc.response()


def exception_handlers() -> dict[Any, Callable[..., Any]]:
    """Handlers every service installs: the router's refusals and ``HttpError`` as the error body."""
    return {
        404: on_not_found,
        405: on_method_not_allowed,
        HTTPException: on_http_exception,
        HttpError: on_http_error,
    }
