"""Schemathesis over the webhook paths as a supervisor: no 500 whatever the input.

The project-wide fuzz test logs in as a citizen, who gets 404 on every
back-office path before any input is read; this one reaches the handlers.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from .conftest import ANNE

_TOKEN: dict[str, str] = {}


@pytest.fixture(scope="module")
def webhook_schema(webhook_portal: Any, pki_dir: Any) -> Any:
    from eid.pki import SandboxPKI
    from tests.conftest import sandbox_person, sign_login_message

    creds = SandboxPKI.open(pki_dir).issue_person(sandbox_person(ANNE), "1.8")
    with httpx.Client(base_url=webhook_portal.url, timeout=30) as client:
        challenge = client.post("/api/v1/auth/challenges").json()
        answer = client.post("/api/v1/auth/sessions", json=sign_login_message(creds, challenge))
        _TOKEN["value"] = answer.json()["token"]
    return schemathesis.openapi.from_url(f"{webhook_portal.url}/api/v1/openapi.json")


schema = schemathesis.pytest.from_fixture("webhook_schema").include(
    path_regex="^/api/v1/agent/webhooks"
)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("MONESPACE_FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: Any) -> None:
    response = case.call(headers={"Authorization": f"Bearer {_TOKEN['value']}"}, timeout=30)
    case.validate_response(response, checks=[not_a_server_error])
