"""Body limits per route, decided before the body is read, on the real uvicorn server.

Every operation of the served OpenAPI document gets an oversized body of each
content type a client could send, with a declared length and chunked:

- declared: only the headers are sent (``Content-Length`` over the limit, no
  body byte). The answer must be 413 at once: a server that waits for the
  body to decide has already lost (a 150 MB ``multipart/*`` body to
  ``POST /auth/sessions`` used to be read whole, then answered 422).
- chunked: the body is sent a piece at a time; the 413 must come once the
  route's limit is passed, long before the client is done.

Upload routes (those documented as ``multipart/form-data``) have the upload
limit instead of the JSON one. The server's resident memory is read from
/proc before and after: it must stay flat.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PortalServer
from tests.portal.own_server import own_portal

JSON_LIMIT = 64 * 1024  # MONESPACE_PORTAL_MAX_JSON_BODY of this module's server
UPLOAD_LIMIT = 256 * 1024  # MONESPACE_PORTAL_MAX_UPLOAD of this module's server
#: Content types a client could declare; the limit must not depend on them.
CONTENT_TYPES = (
    "application/json",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/octet-stream",
)
CHUNK = 16 * 1024


@pytest.fixture(scope="module")
def server(pki_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalServer]:
    """A portal of its own (SQLite), so its memory is this test's alone."""
    with own_portal(
        pki_dir,
        tmp_path_factory.mktemp("limits"),
        MONESPACE_PORTAL_MAX_JSON_BODY=str(JSON_LIMIT),
        MONESPACE_PORTAL_MAX_UPLOAD=str(UPLOAD_LIMIT),
    ) as portal:
        yield portal


def _operations(server: PortalServer) -> list[tuple[str, str, bool]]:
    """(method, concrete path, is an upload) for every operation of the document."""
    document = httpx.get(f"{server.url}/api/v1/openapi.json", timeout=30).json()
    found = []
    for template, operations in document["paths"].items():
        path = "/api/v1" + template if not template.startswith("/api/") else template
        if template == "/healthz":
            path = template
        concrete = re.sub(r"\{[^}]+\}", "MSP-2026-000001", path)
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            found.append((method.upper(), concrete, "multipart/form-data" in content))
    assert len(found) > 40, "the OpenAPI document lists fewer operations than expected"
    return found


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]


def _status_of(sock: socket.socket, timeout: float) -> int | None:
    """The status code of the answer, or None when none came within ``timeout``."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            piece = sock.recv(4096)
            if not piece:
                break
            data += piece
    except (TimeoutError, ConnectionResetError):
        pass
    match = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return int(match.group(1)) if match else None


def _head(method: str, path: str, content_type: str, extra: str) -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        f"{extra}\r\n"
    ).encode()


def declared(server: PortalServer, method: str, path: str, content_type: str, size: int) -> Any:
    """Send only the headers of a ``size``-byte body: the answer must not wait for it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_head(method, path, content_type, f"Content-Length: {size}\r\n"))
        return _status_of(sock, timeout=10)


def chunked(server: PortalServer, method: str, path: str, content_type: str, limit: int) -> Any:
    """Send chunks up to four times ``limit``; (status, bytes sent before the answer)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_head(method, path, content_type, "Transfer-Encoding: chunked\r\n"))
        piece = f"{CHUNK:x}\r\n".encode() + b"{" * CHUNK + b"\r\n"
        while sent < 4 * limit:
            sock.settimeout(10)
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += CHUNK
            sock.settimeout(0.001)
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break  # the server answered: stop sending
            except (TimeoutError, BlockingIOError):
                pass
        return _status_of(sock, timeout=10), sent


def test_every_operation_refuses_an_oversized_body_before_reading_it(server: PortalServer) -> None:
    operations = _operations(server)
    pid = server.process.pid  # type: ignore[union-attr]
    before = _rss_kib(pid)
    failures = []
    for method, path, upload in operations:
        limit = UPLOAD_LIMIT if upload else JSON_LIMIT
        for content_type in CONTENT_TYPES:
            status = declared(server, method, path, content_type, 150 * 1024 * 1024)
            if status != 413:
                failures.append(f"{method} {path} [{content_type}] declared: {status}")
            status, sent = chunked(server, method, path, content_type, limit)
            # An upload route checks the caller before reading a byte (401 here,
            # anonymous); its limit once logged in: periphery/test_upload_server.py.
            refused = (413, 401) if upload else (413,)
            if status not in refused or sent > 2 * limit + 8 * CHUNK:
                failures.append(f"{method} {path} [{content_type}] chunked: {status} after {sent}")
    after = _rss_kib(pid)
    print(f"{len(operations)} operations; server RSS {before} KiB -> {after} KiB")
    assert not failures, "\n".join(failures[:40])
    assert after - before < 32 * 1024, f"server memory grew from {before} to {after} KiB"


def test_a_big_multipart_body_to_login_costs_no_memory(server: PortalServer) -> None:
    """The reported attack, chunked: 48 MB typed multipart to the unauthenticated login."""
    pid = server.process.pid  # type: ignore[union-attr]
    before = _rss_kib(pid)
    for _ in range(3):
        status, sent = chunked(
            server, "POST", "/api/v1/auth/sessions", "multipart/form-data; boundary=x", 12 << 20
        )
        assert status == 413
        assert sent <= 2 * JSON_LIMIT + 8 * CHUNK
    assert _rss_kib(pid) - before < 16 * 1024


def test_bodies_within_the_limit_still_work(server: PortalServer) -> None:
    """The limit refuses only what is over it: a login body just under it is parsed."""
    body = json.dumps(
        {"challenge_id": "x", "certificates": ["A"], "signature": "A", "algorithm": "ES384"}
    )
    answer = httpx.post(
        f"{server.url}/api/v1/auth/sessions",
        content=body.encode(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 401, answer.text
    padded = body[:-1] + ', "pad": "' + "x" * (JSON_LIMIT - len(body) - 20) + '"}'
    assert len(padded) <= JSON_LIMIT
    answer = httpx.post(
        f"{server.url}/api/v1/auth/sessions",
        content=padded.encode(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 401, answer.text
    started = time.monotonic()
    answer = httpx.post(
        f"{server.url}/api/v1/auth/sessions",
        content=padded.encode() + b" " * 64,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert time.monotonic() - started < 30
