"""Registering, listing and deleting endpoints: who may, which URLs, which event types."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from portal.webhooks.endpoints import url_problem

from .conftest import ANNE, MARIE, MAXIME, VINCENT, User

LOCAL = "http://127.0.0.1:9/hooks"


def problem(answer: Any, status: int, kind: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["type"].endswith("/" + kind), body
    return dict(body)


def test_supervisor_registers_and_sees_the_secret_once(person: Callable[..., User]) -> None:
    anne = person(ANNE)
    created = anne.post(
        "/agent/webhooks",
        {
            "service": "SPW-EER",
            "url": LOCAL,
            "event_types": ["dossier.submitted", "dossier.decided", "dossier.submitted"],
            "description": "GED du SPW",
        },
    )
    assert created.status_code == 201, created.text
    endpoint = created.json()
    assert endpoint["id"].startswith("wh_") and endpoint["active"] is True
    assert endpoint["secret"].startswith("whsec_") and len(endpoint["secret"]) == 6 + 32
    assert endpoint["event_types"] == ["dossier.submitted", "dossier.decided"]
    assert endpoint["service"] == "SPW-EER" and endpoint["description"] == "GED du SPW"
    listed = anne.get("/agent/webhooks", params={"service": "SPW-EER"}).json()["items"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert "secret" not in listed[0]
    assert anne.get("/agent/webhooks").json()["items"] == listed


def test_an_agent_reads_but_cannot_write(person: Callable[..., User]) -> None:
    endpoint = person(ANNE).register(LOCAL)
    maxime = person(MAXIME)
    assert [e["id"] for e in maxime.get("/agent/webhooks").json()["items"]] == [endpoint["id"]]
    deliveries = maxime.get(f"/agent/webhooks/{endpoint['id']}/deliveries")
    assert deliveries.status_code == 200 and deliveries.json()["items"] == []
    body = {"service": "SPW-EER", "url": LOCAL, "event_types": ["*"]}
    problem(maxime.post("/agent/webhooks", body), 403, "forbidden")
    problem(maxime.delete(f"/agent/webhooks/{endpoint['id']}"), 403, "forbidden")


def test_others_get_not_found(person: Callable[..., User]) -> None:
    endpoint = person(ANNE).register(LOCAL)
    body = {"service": "SPW-EER", "url": LOCAL, "event_types": ["*"]}
    for outsider in (person(MARIE), person(VINCENT)):
        problem(outsider.post("/agent/webhooks", body), 404, "not-found")
        problem(outsider.delete(f"/agent/webhooks/{endpoint['id']}"), 404, "not-found")
        problem(outsider.get(f"/agent/webhooks/{endpoint['id']}/deliveries"), 404, "not-found")
        problem(outsider.get("/agent/webhooks?service=SPW-EER"), 404, "not-found")
    marie = person(MARIE)
    problem(marie.get("/agent/webhooks"), 404, "not-found")
    problem(marie.post("/agent/webhooks", {"bad": "body"}), 404, "not-found")
    assert person(VINCENT).get("/agent/webhooks").json()["items"] == []
    problem(person(ANNE).post("/agent/webhooks/deliveries/1/replay"), 404, "not-found")


def test_delete(person: Callable[..., User]) -> None:
    anne = person(ANNE)
    endpoint = anne.register(LOCAL)
    assert anne.delete(f"/agent/webhooks/{endpoint['id']}").status_code == 204
    assert anne.get("/agent/webhooks").json()["items"] == []
    problem(anne.delete(f"/agent/webhooks/{endpoint['id']}"), 404, "not-found")


@pytest.mark.parametrize(
    ("field", "value", "pointer"),
    [
        ("url", "http://example.org/hooks", "/url"),
        ("url", "ftp://127.0.0.1/hooks", "/url"),
        ("url", "https://user:pw@example.org/hooks", "/url"),
        ("url", "not a url", "/url"),
        ("url", "https://10.1.2.3/hooks", "/url"),
        ("url", "https://169.254.169.254/latest/meta-data", "/url"),
        ("event_types", ["dossier.nope"], "/event_types/0"),
        ("event_types", ["dossier.note"], "/event_types/0"),
        ("event_types", [], "/event_types"),
    ],
)
def test_invalid_endpoints_are_422(
    person: Callable[..., User], field: str, value: Any, pointer: str
) -> None:
    body: dict[str, Any] = {"service": "SPW-EER", "url": LOCAL, "event_types": ["*"]}
    body[field] = value
    found = problem(person(ANNE).post("/agent/webhooks", body), 422, "validation-failed")
    assert pointer in {e["pointer"] for e in found["errors"]}


def test_every_field_error_at_once(person: Callable[..., User]) -> None:
    body = {"service": "SPW-EER", "url": "http://example.org/", "event_types": ["*", "nope"]}
    found = problem(person(ANNE).post("/agent/webhooks", body), 422, "validation-failed")
    assert {e["pointer"] for e in found["errors"]} == {"/url", "/event_types/0", "/event_types/1"}


def test_unknown_service_is_not_found(person: Callable[..., User]) -> None:
    body = {"service": "NOPE", "url": LOCAL, "event_types": ["*"]}
    problem(person(ANNE).post("/agent/webhooks", body), 404, "not-found")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://ged.spw.wallonie.be/hooks", True),
        ("https://93.184.216.34:8443/x", True),
        ("http://ged.spw.wallonie.be/hooks", False),
        ("http://127.0.0.1:8080/hooks", False),
        ("https://127.0.0.1/hooks", False),
        ("https://localhost/hooks", False),
        ("https://[::1]/hooks", False),
        ("https://[::ffff:10.0.0.1]/hooks", False),
        ("https://192.168.1.10/hooks", False),
        ("https://172.16.0.1/hooks", False),
        ("https://100.64.0.1/hooks", False),
        ("https://0.0.0.0/hooks", False),
        ("https://[fe80::1]/hooks", False),
        ("https://printer.local/hooks", False),
        ("https://host:99999/hooks", False),
    ],
)
def test_url_rules_outside_the_sandbox(url: str, allowed: bool) -> None:
    assert (url_problem(url, sandbox=False) is None) is allowed


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8080/hooks", True),
        ("http://localhost:8080/hooks", True),
        ("http://[::1]:8080/hooks", True),
        ("https://127.0.0.1/hooks", True),
        ("http://192.168.1.10/hooks", False),
        ("http://example.org/hooks", False),
    ],
)
def test_url_rules_in_the_sandbox(url: str, allowed: bool) -> None:
    assert (url_problem(url, sandbox=True) is None) is allowed


def test_production_mode_refuses_loopback_over_the_api(
    portal_settings: Any, login: Callable[..., str], sandbox_crl_files: tuple[Any, ...]
) -> None:
    """Outside sandbox mode the API itself refuses http:// to loopback."""
    from fastapi.testclient import TestClient

    from portal.app import create_app

    settings = dataclasses.replace(portal_settings, webhooks_enabled=False)
    sandbox_app = create_app(settings)
    with TestClient(sandbox_app) as client:
        token = login(client, ANNE)  # logging in needs the sandbox PKI
    # The sandbox CRLs let the production portal check the session's certificate.
    production = create_app(
        dataclasses.replace(settings, sandbox=False, crl_files=sandbox_crl_files)
    )
    try:
        with TestClient(production, raise_server_exceptions=False) as client:
            anne = User(client, token)
            found = problem(
                anne.post(
                    "/agent/webhooks", {"service": "SPW-EER", "url": LOCAL, "event_types": ["*"]}
                ),
                422,
                "validation-failed",
            )
            assert found["errors"][0]["pointer"] == "/url"
            assert anne.register("https://ged.spw.wallonie.be/hooks")["url"].startswith("https:")
    finally:
        sandbox_app.state.engine.dispose()
        production.state.engine.dispose()
