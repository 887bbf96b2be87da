"""Every console route, for issuer.app's route table."""

from __future__ import annotations

from starlette.routing import BaseRoute

from issuer.state import ServiceState

from . import counter, imports, officers_admin, people, review, scanner_signin, signin, visits
from .web import Console

__all__ = ["routes"]


def routes(state: ServiceState) -> list[BaseRoute]:
    console = Console(state)
    return [*signin.routes(console), *counter.routes(console), *review.routes(console), *people.routes(console),
            *visits.routes(console), *officers_admin.routes(console),
            *imports.routes(console), *scanner_signin.routes(state)]
