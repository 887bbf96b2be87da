"""Schemathesis against both services' OpenAPI documents: no 5xx, every answer as documented.

Every operation of each document gets generated requests, valid and invalid,
with the documented credentials; each response must not be a server error,
and its status, content type and body must match the document.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from issuer.app import create_app as create_issuer
from tests.issuer.app_helpers import ADMIN_TOKEN, Clock as IssuerClock, make_config as issuer_config
from tests.issuer.app_helpers import issuer_keys  # noqa: F401  (fixture)
from tests.verifier.service_kit import OFFICIAL_KEY

#: The issuer's JSON APIs; its HTML pages and the officers' console are covered by their browser tests.
JSON_TAGS = "^(issuer|apply|apply-admin)$"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))


def fuzz(schema: Any, headers: dict[str, str]) -> list[str]:
    """Every operation with generated requests; the failures found, one line per operation."""
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @EXAMPLES
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # a failed check, with its reproduction
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert operations > 5
    return failures


def test_verifier_api(make_verifier: Any) -> None:
    v = make_verifier()
    schema = schemathesis.openapi.from_asgi("/openapi.json", v.app)
    failures = fuzz(schema, {"Authorization": f"Bearer {OFFICIAL_KEY}"})
    assert failures == [], "\n\n".join(failures)


def test_issuer_api(tmp_path: Path, issuer_keys: Any) -> None:  # noqa: F811
    app = create_issuer(issuer_config(tmp_path), clock=IssuerClock(), keys=issuer_keys, registry_rng=random.Random(7))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(tag_regex=JSON_TAGS)
    failures = fuzz(schema, {"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert failures == [], "\n\n".join(failures)
