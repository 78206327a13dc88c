"""The SSE stream against the real server: delivery, scoping, Last-Event-ID, other processes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sse_reader import StreamReader

from .conftest import AGENT, CITIZEN, OTHER

PERMIT = {"permit_type": "B", "year": 2027}


def Stream(url: str, token: str, until: Any, last_event_id: str | None = None) -> StreamReader:
    """The person's own stream, ``GET /events``, read until ``until(event)``."""
    return StreamReader(url, token, until, path="/api/v1/events", last_event_id=last_event_id)


@pytest.fixture
def server(portal_server):
    return portal_server


def _api(url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def _create_and_submit(api: httpx.Client) -> dict[str, Any]:
    created = api.post("/dossiers", json={"procedure": "PERMIS-PECHE", "data": PERMIT})
    assert created.status_code == 201, created.text
    submitted = api.post(f"/dossiers/{created.json()['id']}/submit")
    assert submitted.status_code == 200, submitted.text
    return submitted.json()


def test_stream_delivers_and_resumes_from_last_event_id(server, login):
    token = login(server.url, CITIZEN)
    stream = Stream(server.url, token, until=lambda e: e.event == "payment")
    assert stream.status == 200 and stream.content_type.startswith("text/event-stream")
    with _api(server.url, token) as api:
        dossier = _create_and_submit(api)
    events = stream.result()
    mine = [e for e in events if e.json()["dossier_id"] == dossier["id"]]
    assert [e.event for e in mine] == ["created", "submitted", "document", "payment"]
    assert all(e.id == str(e.json()["id"]) for e in mine)
    ids = [int(e.id) for e in mine]
    assert ids == sorted(ids)

    resumed = Stream(
        server.url, token, until=lambda e: e.id == mine[3].id, last_event_id=mine[1].id
    )
    again = [e for e in resumed.result() if e.json()["dossier_id"] == dossier["id"]]
    assert [e.id for e in again] == [mine[2].id, mine[3].id]


def test_stream_only_shows_the_callers_dossiers(server, login):
    citizen_token, other_token = login(server.url, CITIZEN), login(server.url, OTHER)
    with _api(server.url, citizen_token) as api:
        created = api.post("/dossiers", json={"procedure": "PERMIS-PECHE", "data": PERMIT}).json()
    with _api(server.url, citizen_token) as api:
        events = api.get(f"/dossiers/{created['id']}/events").json()["items"]
    before = str(int(events[0]["id"]) - 1)
    with _api(server.url, other_token) as api:
        theirs = api.post("/dossiers", json={"procedure": "PERMIS-PECHE", "data": PERMIT}).json()
    stream = Stream(server.url, other_token, until=lambda e: True, last_event_id=before)
    first = stream.result()[0]
    assert first.json()["dossier_id"] == theirs["id"]


def test_events_written_by_another_process_reach_the_stream(server, login):
    """Each process's hub reads the database: a write by any process is delivered."""
    from sqlalchemy.orm import Session

    from portal.db import make_engine
    from portal.models import Dossier, Person, parse_dossier_id
    from portal.services.messages import AGENT as AGENT_ROLE
    from portal.services.messages import post_message

    token = login(server.url, CITIZEN)
    with _api(server.url, token) as api:
        dossier = _create_and_submit(api)
    stream = Stream(server.url, token, until=lambda e: e.event == "message")
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as db:
            row = db.get(Dossier, parse_dossier_id(dossier["id"])[1])
            post_message(db, row, db.get(Person, AGENT), role=AGENT_ROLE, body="Bien reçu.")
            db.commit()
        event = stream.result()[-1]
    finally:
        engine.dispose()
    assert event.json()["dossier_id"] == dossier["id"]
    assert event.json()["actor"]["nrn"] == AGENT


def test_stream_needs_a_login(server):
    answer = httpx.get(server.url + "/api/v1/events", timeout=10)
    assert answer.status_code == 401


def test_logout_ends_the_stream(server, login):
    token = login(server.url, CITIZEN)
    stream = Stream(server.url, token, until=lambda e: e.event == "session-ended")
    with _api(server.url, token) as api:
        assert api.delete("/auth/sessions/current").status_code == 204
    ended = stream.result()
    assert ended[-1].event == "session-ended"


def test_last_event_id_parsing():
    from portal.services.events import parse_last_event_id

    assert parse_last_event_id("17") == 17
    assert parse_last_event_id(" 17 ") == 17
    assert parse_last_event_id(None) is None
    assert parse_last_event_id("abc") is None
    assert parse_last_event_id("9" * 40) is None


def test_revoking_an_access_token_ends_its_stream(server, login):
    """Streams re-check access tokens like sessions (portal.streams.rights)."""
    session = login(server.url, CITIZEN)
    with _api(server.url, session) as api:
        made = api.post("/auth/tokens", json={"name": "watch", "scopes": ["dossiers:read"]})
        assert made.status_code == 201, made.text
        writer = api.post("/auth/tokens", json={"name": "w", "scopes": ["dossiers:write"]})
    refused = httpx.get(
        server.url + "/api/v1/events",
        headers={"Authorization": f"Bearer {writer.json()['token']}"},
        timeout=10,
    )
    assert refused.status_code == 403 and "dossiers:read" in refused.json()["detail"]
    stream = Stream(server.url, made.json()["token"], until=lambda e: e.event == "session-ended")
    with _api(server.url, session) as api:
        assert api.delete(f"/auth/tokens/{made.json()['id']}").status_code == 204
    ended = stream.result()
    assert ended[-1].event == "session-ended"
    assert "revoked" in ended[-1].data
