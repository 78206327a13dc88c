"""Every error is RFC 9457; an unexpected one is a 500 with an error id that is logged."""

from __future__ import annotations

import logging

from fastapi import APIRouter


def test_unexpected_error_is_a_problem_with_logged_id(portal_app, caplog) -> None:
    from fastapi.testclient import TestClient

    router = APIRouter()

    @router.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("SELECT secret FROM table -- internal detail")

    portal_app.include_router(router)
    with caplog.at_level(logging.ERROR, logger="portal.errors"):
        with TestClient(portal_app, raise_server_exceptions=False) as client:
            answer = client.get("/api/v1/boom")
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["type"].endswith("/internal-error")
    assert "SELECT" not in answer.text and "Traceback" not in answer.text
    assert body["error_id"] in caplog.text


def test_healthz_and_openapi(portal_client) -> None:
    assert portal_client.get("/healthz").json() == {"status": "ok"}
    spec = portal_client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in [
        "/api/v1/auth/challenges",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{dossier_id}/submit",
        "/api/v1/me",
    ]:
        assert path in paths


def test_method_not_allowed_is_a_problem(portal_client) -> None:
    answer = portal_client.delete("/api/v1/procedures")
    assert answer.status_code == 405
    assert answer.json()["type"].endswith("/method-not-allowed")


def test_sandbox_cards(portal_client, portal_settings) -> None:
    answer = portal_client.post(
        "/api/v1/sandbox/cards", json={"nrn": "68031412135", "applet": "1.8", "pin": "1234"}
    )
    assert answer.status_code == 201, answer.text
    image = answer.json()
    assert isinstance(image, dict) and image
    missing = portal_client.post(
        "/api/v1/sandbox/cards", json={"nrn": "00000000000", "applet": "1.8", "pin": "1234"}
    )
    assert missing.status_code == 404


def test_sandbox_cards_absent_outside_sandbox(portal_settings) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from portal.app import create_app

    app = create_app(replace(portal_settings, sandbox=False))
    with TestClient(app) as client:
        answer = client.post(
            "/api/v1/sandbox/cards", json={"nrn": "68031412135", "applet": "1.8", "pin": "1234"}
        )
    assert answer.status_code == 404
    app.state.engine.dispose()
