"""Schemathesis over the served OpenAPI, authenticated: the portal never answers 500."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CITIZEN = "68031412135"
#: Anne Gilson, supervisor at SPW-EER: the back office is fuzzed from inside too.
SUPERVISOR = "70112804283"
_TOKEN: dict[str, str] = {}
#: No 500s, and every answer is one the OpenAPI document declares, in its shape.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(portal_server: Any, pki_dir: Any) -> Any:
    from eid.pki import SandboxPKI
    from tests.conftest import sandbox_person, sign_login_message

    pki = SandboxPKI.open(pki_dir)
    with httpx.Client(base_url=portal_server.url, timeout=30) as client:
        for nrn in (CITIZEN, SUPERVISOR):
            creds = pki.issue_person(sandbox_person(nrn), "1.8")
            challenge = client.post("/api/v1/auth/challenges").json()
            body = sign_login_message(creds, challenge)
            _TOKEN[nrn] = client.post("/api/v1/auth/sessions", json=body).json()["token"]
    return schemathesis.openapi.from_url(f"{portal_server.url}/api/v1/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("MONESPACE_FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: Any) -> None:
    _call_as(CITIZEN, case)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("MONESPACE_FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_as_a_supervisor(case: Any) -> None:
    _call_as(SUPERVISOR, case)


def _call_as(nrn: str, case: Any) -> None:
    if case.path.startswith(("/api/v1/events", "/api/v1/agent/events")):
        pytest.skip("event streams never end; covered by the periphery and back-office tests")
    response = case.call(headers={"Authorization": f"Bearer {_TOKEN[nrn]}"}, timeout=30)
    case.validate_response(response, checks=CHECKS)
