"""Fixtures for the periphery tests: logged-in clients on an in-process portal."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .smtp_sink import SmtpSink

CITIZEN = "68031412135"  # Philippe Lambert
OTHER = "83110208625"  # Sophie Lejeune, an unrelated citizen
AGENT = "74011920708"  # used as the case handler in service-layer steps


class User:
    """A TestClient bound to one person's token (and acting context)."""

    def __init__(self, client: Any, token: str, nrn: str) -> None:
        self.client, self.nrn = client, nrn
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.get("/api/v1" + path, headers=headers, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.post("/api/v1" + path, headers=headers, **kw)

    def upload(self, dossier_id: str, kind: str, name: str, data: bytes, ctype: str) -> Any:
        return self.post(
            f"/dossiers/{dossier_id}/attachments",
            data={"kind": kind},
            files={"file": (name, data, ctype)},
        )

    def new_dossier(self, procedure: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.post("/dossiers", json={"procedure": procedure, "data": data or {}})
        assert answer.status_code == 201, answer.text
        return answer.json()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def make_portal(portal_settings: Any) -> Iterator[Callable[..., Any]]:
    """`make_portal(**setting_overrides) -> TestClient` on the test's database copy."""
    from fastapi.testclient import TestClient

    from portal.app import create_app

    opened: list[tuple[Any, Any]] = []

    def make(**overrides: Any) -> Any:
        app = create_app(dataclasses.replace(portal_settings, **overrides))
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        opened.append((app, client))
        return client

    yield make
    for app, client in opened:
        client.__exit__(None, None, None)
        if getattr(app.state, "periphery", None) and app.state.periphery.mailer:
            app.state.periphery.mailer.close()
        app.state.engine.dispose()


@pytest.fixture
def as_user(login: Callable[..., str]) -> Callable[[Any, str], User]:
    def make(client: Any, nrn: str) -> User:
        return User(client, login(client, nrn), nrn)

    return make


@pytest.fixture
def portal(make_portal: Callable[..., Any]) -> Any:
    return make_portal()


@pytest.fixture
def citizen(portal: Any, as_user: Callable[[Any, str], User]) -> User:
    return as_user(portal, CITIZEN)


@pytest.fixture
def other(portal: Any, as_user: Callable[[Any, str], User]) -> User:
    return as_user(portal, OTHER)


@pytest.fixture
def db(portal: Any) -> Iterator[Any]:
    """A session on the portal's database, for the agent-side steps."""
    with portal.app.state.sessionmaker() as session:
        yield session
