"""Two portal processes on one database: what one does, the other knows.

Behind a load balancer any request may land on any process, so nothing may
live in one process's memory: challenges, sessions, rate limits and the
event stream all go through the database. Runs on SQLite and, in the
PostgreSQL suite, on PostgreSQL (the deployment this is for).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from eid.pki import SandboxPKI
from monespace_cli.client._sse import parse_lines
from tests.conftest import (
    BACKENDS,
    PortalServer,
    _database,
    init_portal,
    sandbox_person,
    sign_login_message,
)

CITIZEN = "68031412135"
#: What the load balancer's public origin would be; both processes agree on it.
ORIGIN = "https://portal.monespace.test"
PERMIT = {"permit_type": "B", "year": 2027}


@pytest.fixture(scope="module", params=BACKENDS)
def two_servers(
    request: pytest.FixtureRequest, pki_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Any]]:
    """Two processes on one database, behind a (pretend) load balancer on loopback."""
    directory = tmp_path_factory.mktemp(f"scaleout-{request.param}")
    env = {
        "MONESPACE_PORTAL_PUBLIC_ORIGIN": ORIGIN,
        "MONESPACE_PORTAL_RATE_LOGIN_FAILURES": "4/300",
        "MONESPACE_PORTAL_TRUSTED_PROXIES": "127.0.0.1",
    }
    with _database(request.param, directory) as url:
        init_portal(url, pki_dir)
        servers = [
            PortalServer(url, pki_dir, directory / f"server{i}.log", extra_env=env)
            for i in range(2)
        ]
        try:
            for server in servers:
                server.start()
            yield servers
        finally:
            for server in servers:
                server.stop()


def _api(server: PortalServer, token: str | None = None, client_ip: str = "") -> httpx.Client:
    """A client; ``client_ip`` is what the load balancer says it forwarded for."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if client_ip:
        headers["X-Forwarded-For"] = client_ip
    return httpx.Client(base_url=server.url + "/api/v1", headers=headers, timeout=30)


def _login_across(first: PortalServer, second: PortalServer, pki_dir: Path) -> str:
    """Challenge from one process, answer to the other."""
    creds = SandboxPKI.open(pki_dir).issue_person(sandbox_person(CITIZEN), "1.8")
    with _api(first) as a, _api(second) as b:
        challenge = a.post("/auth/challenges")
        assert challenge.status_code == 201, challenge.text
        assert challenge.json()["origin"] == ORIGIN
        answer = b.post("/auth/sessions", json=sign_login_message(creds, challenge.json()))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])


def test_login_and_logout_hold_across_processes(two_servers, pki_dir) -> None:
    a, b = two_servers
    token = _login_across(a, b, pki_dir)
    with _api(a, token) as on_a, _api(b, token) as on_b:
        assert on_a.get("/me").status_code == 200
        assert on_b.delete("/auth/sessions/current").status_code == 204
        assert on_a.get("/me").status_code == 401


def test_a_challenge_is_single_use_across_processes(two_servers, pki_dir) -> None:
    a, b = two_servers
    creds = SandboxPKI.open(pki_dir).issue_person(sandbox_person(CITIZEN), "1.8")
    with _api(a) as on_a, _api(b) as on_b:
        body = sign_login_message(creds, on_a.post("/auth/challenges").json())
        assert on_a.post("/auth/sessions", json=body).status_code == 201
        replay = on_b.post("/auth/sessions", json=body)
    assert replay.status_code == 401, replay.text


def test_failed_login_limit_is_shared(two_servers) -> None:
    a, b = two_servers
    bad = {"certificates": ["AAAA"], "signature": "AAAA", "algorithm": "ES384"}
    codes = []
    # Its own client address: the other tests' failures do not count here.
    with _api(a, client_ip="198.51.100.7") as on_a, _api(b, client_ip="198.51.100.7") as on_b:
        for i in range(6):
            client = (on_a, on_b)[i % 2]
            challenge = client.post("/auth/challenges").json()
            answer = client.post("/auth/sessions", json={**bad, "challenge_id": challenge["id"]})
            codes.append(answer.status_code)
            if answer.status_code == 429:
                assert int(answer.headers["Retry-After"]) >= 1
    # Two processes, one allowance: the fifth failure is refused wherever it lands.
    assert codes == [401, 401, 401, 401, 429, 429]


def test_events_written_on_one_process_reach_a_stream_on_the_other(two_servers, pki_dir) -> None:
    a, b = two_servers
    token = _login_across(a, b, pki_dir)
    received: list[Any] = []
    opened, done = threading.Event(), threading.Event()

    def listen() -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        with httpx.Client(base_url=b.url, timeout=httpx.Timeout(10, read=30)) as http:
            with http.stream("GET", "/api/v1/events", headers=headers) as answer:
                opened.set()
                for event in parse_lines(answer.iter_lines()):
                    received.append(event)
                    if event.event == "submitted":
                        break
        done.set()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert opened.wait(10)
    with _api(a, token) as on_a:
        created = on_a.post("/dossiers", json={"procedure": "PERMIS-PECHE", "data": PERMIT})
        assert created.status_code == 201, created.text
        dossier_id = created.json()["id"]
        assert on_a.post(f"/dossiers/{dossier_id}/submit").status_code == 200
    assert done.wait(30), f"the stream on the other process got {received}"
    mine = [e.event for e in received if e.json()["dossier_id"] == dossier_id]
    assert mine[:2] == ["created", "submitted"]


def test_concurrent_writers_on_both_processes_all_succeed(two_servers, pki_dir) -> None:
    """Eight writers over two processes: no "database is locked", no 500, every dossier filed."""
    from concurrent.futures import ThreadPoolExecutor

    a, b = two_servers
    token = _login_across(a, b, pki_dir)

    def send(api: httpx.Client, path: str, **kw: Any) -> httpx.Response:
        # A saturated process answers 503 + Retry-After at once: a client waits and retries.
        for _ in range(20):
            answer = api.post(path, **kw)
            if answer.status_code != 503:
                return answer
            time.sleep(float(answer.headers["Retry-After"]))
        return answer

    def write(index: int) -> list[int]:
        codes = []
        with _api((a, b)[index % 2], token) as api:
            for _ in range(5):
                made = send(api, "/dossiers", json={"procedure": "PERMIS-PECHE", "data": PERMIT})
                codes.append(made.status_code)
                if made.status_code == 201:
                    codes.append(send(api, f"/dossiers/{made.json()['id']}/submit").status_code)
        return codes

    with ThreadPoolExecutor(8) as pool:
        codes = [code for part in pool.map(write, range(8)) for code in part]
    assert codes.count(201) == 40 and codes.count(200) == 40, codes
    for server in (a, b):
        assert "database is locked" not in server.log()
        assert "Traceback" not in server.log()
