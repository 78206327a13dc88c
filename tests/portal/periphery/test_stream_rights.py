"""Live streams re-check rights on each delivery, against a real portal process.

Each revocation happens mid-stream: a login session ended, a CSAM role or a
mandate revoked, an agent taken out of their service. After it, a new event
the caller could see before must not be delivered, and the stream must end
with ``event: session-ended`` saying why. Also the caps (503 + Retry-After)
and the keep-alives. The portal here is this module's own (it revokes
sandbox rights other tests rely on), on SQLite and, when configured,
PostgreSQL; its streams re-check every second even with nothing to deliver.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import BACKENDS, PortalServer, _database, init_portal
from tests.sse_reader import StreamReader

COMPANY = "0459811078"  # Transports Wéry SA
FIDUCIAIRE = "0856712314"  # its accounting firm, mandataire of an environment mandate
LEGAL_REP = "62062701534"  # Marc Wéry, legal representative of the company
MEMBER = "55112114668"  # Monika Schröder: given roles in the company below
MANDATAIRE = "02090806424"  # Camille Renard, firm staff (role on mandates, given below)
FIRM_GAP = "83110208625"  # Sophie Lejeune, GAP of the firm
AGENT = "94051009265"  # Émilie Gaspard, agent of NAMUR (ENV-DECL-CL3)
HOARDER = "93120523305"  # opens streams from several login sessions
ECONOMY_AGENT = "90060621186"  # agent of SPW-EER, left in their service here
CITIZEN = "86040203095"
PROCEDURE = "ENV-DECL-CL3"
API = "/api/v1"


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, pki_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    directory = tmp_path_factory.mktemp(f"stream-rights-{request.param}")
    with _database(request.param, directory) as url:
        init_portal(url, pki_dir)
        env = {
            "MONESPACE_PORTAL_STREAM_RECHECK": "1",
            "MONESPACE_PORTAL_STREAM_RIGHTS_TTL": "1",
            "MONESPACE_PORTAL_STREAM_KEEPALIVE": "1",
            "MONESPACE_PORTAL_STREAMS_PER_SESSION": "3",
            "MONESPACE_PORTAL_STREAMS_PER_PERSON": "5",
        }
        portal = PortalServer(url, pki_dir, directory / "server.log", extra_env=env)
        portal.start()
        try:
            yield portal
        finally:
            portal.stop()


def _client(server: PortalServer, token: str, acting_as: str = "me") -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}", "X-Acting-As": acting_as}
    return httpx.Client(base_url=server.url + API, headers=headers, timeout=30)


def _ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def _example() -> dict[str, Any]:
    root = Path(__file__).resolve().parents[3]
    path = root / "portal" / "sandbox" / "procedures" / f"{PROCEDURE}.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))["example_data"])


def _file_for_company(server: PortalServer, rep_token: str) -> str:
    """The legal representative files a dossier for the company; its id."""
    with _client(server, rep_token, COMPANY) as api:
        created = _ok(api.post("/dossiers", json={"procedure": PROCEDURE, "data": _example()}), 201)
    return str(created["id"])


def _open_acting(server: PortalServer, token: str, acting_as: str) -> _ActingReader:
    return _ActingReader(server.url, token, acting_as)


class _ActingReader(StreamReader):
    """``GET /events`` with an ``X-Acting-As`` header, read until the stream ends."""

    def __init__(self, url: str, token: str, acting_as: str) -> None:
        self._acting_as = acting_as
        super().__init__(
            url, token, until=lambda e: e.event == "session-ended", path=f"{API}/events"
        )

    def _run(self, path: str, headers: dict[str, str]) -> None:
        super()._run(path, {**headers, "X-Acting-As": self._acting_as})


def _dossiers_in(reader: StreamReader) -> set[str]:
    return {e.json()["dossier_id"] for e in reader.events if e.event != "session-ended" and e.data}


def _ended(reader: StreamReader) -> dict[str, Any]:
    events = reader.result(30)
    assert events and events[-1].event == "session-ended", events
    return dict(events[-1].json())


def _wait_for(reader: StreamReader, dossier_id: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while dossier_id not in _dossiers_in(reader):
        assert time.monotonic() < deadline, f"{dossier_id} never arrived: {reader.events}"
        time.sleep(0.05)


def test_revoking_the_mandate_ends_the_stream_before_the_clients_next_event(server, login):
    """A stream opened through a mandate stops delivering the client's events once it is revoked."""
    firm_gap, rep = login(server.url, FIRM_GAP), login(server.url, LEGAL_REP)
    staff = {
        "nrn": MANDATAIRE,
        "domain": "environment",
        "level": "act",
        "on_mandates": True,
        "beneficiary": COMPANY,
    }
    with _client(server, firm_gap) as api:
        _ok(api.post(f"/organisations/{FIDUCIAIRE}/roles", json=staff), 201)
    token = login(server.url, MANDATAIRE)
    stream = _open_acting(server, token, COMPANY)
    assert stream.status == 200
    before = _file_for_company(server, rep)
    _wait_for(stream, before)  # the mandate works: the client's event arrives

    with _client(server, rep) as api:
        mandates = _ok(api.get("/mandates"))["items"]
        mandate = next(
            m
            for m in mandates
            if m["mandataire"]["bce"] == FIDUCIAIRE
            and m["beneficiary"]["bce"] == COMPANY
            and m["state"] == "active"
            and "environment" in m["domains"]
        )
        _ok(api.post(f"/mandates/{mandate['id']}/revoke"))
    after = _file_for_company(server, rep)

    ended = _ended(stream)
    assert after not in _dossiers_in(stream)
    assert ended["reason"] == "context" and COMPANY in ended["detail"]
    with _client(server, token, COMPANY) as api:  # REST agrees
        assert api.get("/dossiers").status_code == 403


def test_revoking_roles_narrows_then_ends_the_stream(server, login):
    """Her environment role revoked: no more environment events; her last role: the end."""
    rep = login(server.url, LEGAL_REP)
    roles = {}
    with _client(server, rep) as api:
        for domain in ("environment", "employment"):
            grant = {"nrn": MEMBER, "domain": domain, "level": "act"}
            path = f"/organisations/{COMPANY}/roles"
            roles[domain] = _ok(api.post(path, json=grant), 201)["id"]
    token = login(server.url, MEMBER)
    stream = _open_acting(server, token, COMPANY)
    assert stream.status == 200
    before = _file_for_company(server, rep)
    _wait_for(stream, before)
    with _client(server, rep) as api:
        _ok(api.delete(f"/organisations/{COMPANY}/roles/{roles['environment']}"), 204)
        narrowed = _file_for_company(server, rep)  # an environment procedure
        _ok(api.delete(f"/organisations/{COMPANY}/roles/{roles['employment']}"), 204)
    after = _file_for_company(server, rep)
    ended = _ended(stream)
    assert narrowed not in _dossiers_in(stream) and after not in _dossiers_in(stream)
    assert ended["reason"] == "context"


@pytest.mark.parametrize("path", ["/events", "/agent/events"])
def test_logging_out_ends_the_stream_and_delivers_nothing_more(server, login, path):
    rep = login(server.url, LEGAL_REP)
    token = login(server.url, AGENT if path == "/agent/events" else LEGAL_REP)
    stream = (
        _open_acting(server, token, COMPANY)
        if path == "/events"
        else StreamReader(
            server.url, token, until=lambda e: e.event == "session-ended", path=API + path
        )
    )
    assert stream.status == 200
    with _client(server, token) as api:
        assert api.delete("/auth/sessions/current").status_code == 204
    after = _file_for_company(server, rep)
    ended = _ended(stream)
    assert after not in _dossiers_in(stream)
    assert ended["reason"] == "session"


def test_an_agent_taken_out_of_their_service_stops_receiving(server, login):
    """Membership changed by another process (no API does it): ended by the periodic re-check."""
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from portal.db import make_engine
    from portal.models import Agent

    token = login(server.url, AGENT)
    stream = StreamReader(
        server.url, token, until=lambda e: e.event == "session-ended", path=f"{API}/agent/events"
    )
    assert stream.status == 200
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as db:
            db.execute(delete(Agent).where(Agent.person_nrn == AGENT))
            db.commit()
    finally:
        engine.dispose()
    ended = _ended(stream)
    assert ended["reason"] == "agent"
    with _client(server, token) as api:
        assert api.get("/agent/queue").status_code == 404


def test_streams_per_session_are_capped_with_503_and_retry_after(server, login):
    token = login(server.url, CITIZEN)
    open_ = [
        StreamReader(server.url, token, until=lambda e: False, path=f"{API}/events")
        for _ in range(3)
    ]
    assert all(s.status == 200 for s in open_)
    refused = httpx.get(
        server.url + API + "/events", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert refused.status_code == 503
    assert refused.headers["Retry-After"].isdigit()
    assert "streams" in refused.json()["detail"]
    # Another login session of the same person has its own count.
    other = StreamReader(
        server.url, login(server.url, CITIZEN), until=lambda e: False, path=f"{API}/events"
    )
    assert other.status == 200


def test_an_idle_stream_gets_keepalive_comments(server, login):
    token = login(server.url, CITIZEN)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        headers = {"Authorization": f"Bearer {token}"}
        with client.stream("GET", API + "/events", headers=headers) as answer:
            assert answer.status_code == 200
            lines = []
            deadline = time.monotonic() + 8
            for line in answer.iter_lines():
                lines.append(line)
                if line == ": keepalive" or time.monotonic() > deadline:
                    break
    assert ": keepalive" in lines, lines


@pytest.mark.parametrize("path", ["/events", "/agent/events"])
def test_an_unreadable_last_event_id_starts_from_now_and_holds_no_place(server, login, path):
    """``²`` passes ``str.isdigit``: it made a 500 that kept its stream's place for good."""
    token = login(server.url, ECONOMY_AGENT)
    headers = {"Authorization": f"Bearer {token}", "Last-Event-ID": b"\xb2"}
    for value in (b"\xb2", b"-1", b"9" * 30, b"abc", b"\xb2") * 2:  # more than the cap of 3
        headers["Last-Event-ID"] = value
        with (
            httpx.Client(base_url=server.url, timeout=10) as client,
            client.stream("GET", API + path, headers=headers) as answer,
        ):
            assert answer.status_code == 200, (value, answer.read())
            assert next(answer.iter_lines()) == "retry: 2000"


def test_one_persons_sessions_together_are_capped_so_others_still_get_streams(server, login):
    """Logging in again is cheap: per session alone, one card could take the process's places."""
    first, second = login(server.url, HOARDER), login(server.url, HOARDER)
    held = [
        StreamReader(server.url, token, until=lambda e: False, path=f"{API}/events")
        for token in (first, first, first, second, second)
    ]
    assert [s.status for s in held] == [200] * 5
    headers = {"Authorization": f"Bearer {login(server.url, HOARDER)}"}
    with (
        httpx.Client(base_url=server.url, timeout=10) as client,
        client.stream("GET", API + "/events", headers=headers) as refused,
    ):
        assert refused.status_code == 503
        assert refused.headers["Retry-After"].isdigit()
        assert "your login sessions already have 5 open streams" in refused.read().decode()
    other = StreamReader(
        server.url, login(server.url, ECONOMY_AGENT), until=lambda e: False, path=f"{API}/events"
    )
    assert other.status == 200
