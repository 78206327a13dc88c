"""Bodies that never arrive hold no slot and end in 408, on the real uvicorn server.

An anonymous client that sends a request's headers and then nothing used to
take one of the process's in-flight slots (portal/http/overload.py) for as long
as it liked: as many such connections as ``MONESPACE_PORTAL_MAX_IN_FLIGHT``
made every other request a 503. Now a body is read whole, within
``MONESPACE_PORTAL_BODY_TIMEOUT``, before the request counts as in flight.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PortalServer
from tests.portal.own_server import own_portal

IN_FLIGHT = 4
BODY_TIMEOUT = 3


@pytest.fixture(scope="module")
def server(pki_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalServer]:
    with own_portal(
        pki_dir,
        tmp_path_factory.mktemp("slow-bodies"),
        MONESPACE_PORTAL_MAX_IN_FLIGHT=str(IN_FLIGHT),
        MONESPACE_PORTAL_BODY_TIMEOUT=str(BODY_TIMEOUT),
    ) as portal:
        yield portal


def _stalled(server: PortalServer, path: str) -> socket.socket:
    """A connection that sends a request's headers and one body byte of the 100 declared."""
    host, port = httpx.URL(server.url).host, httpx.URL(server.url).port
    sock = socket.create_connection((host, port or 80), timeout=30)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n{".encode()
    )
    return sock


def test_stalled_bodies_take_no_slot_from_others(server: PortalServer) -> None:
    stalled = [_stalled(server, "/api/v1/dossiers") for _ in range(IN_FLIGHT * 2)]
    try:
        time.sleep(0.5)  # the server has the headers of every stalled request
        answers = [
            httpx.get(f"{server.url}/api/v1/procedures", timeout=10).status_code
            for _ in range(IN_FLIGHT + 1)
        ]
        assert 503 not in answers, answers
        assert set(answers) == {200}, answers
    finally:
        for sock in stalled:
            sock.close()


def test_a_body_that_does_not_arrive_in_time_is_a_408(server: PortalServer) -> None:
    sock = _stalled(server, "/api/v1/auth/challenges")
    try:
        started = time.monotonic()
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        waited = time.monotonic() - started
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"request-timeout" in answer or b"connection: close" in answer.lower()
    assert waited < BODY_TIMEOUT + 20  # it came from the deadline, not from a client timeout
