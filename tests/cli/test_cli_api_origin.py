"""Credentials go to one origin: the portal's, never another host's (gh api's rule).

Two real HTTP servers on loopback record what reaches them: one is the
profile's portal, the other a host an attacker would like the token sent to
(a URL pasted into ``monespace api``, a redirect from a hostile portal).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import cli_env, run_cli

from monespace_cli.client import PortalClient

TOKEN = "secret-session-token"


class Recorder(ThreadingHTTPServer):
    """A loopback server that answers JSON (or a redirect) and keeps each request's headers."""

    def __init__(self, redirect_to: str | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[dict[str, str]] = []
        self.redirect_to = redirect_to

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_GET(self) -> None:
        self.server.seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.server.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to + "/steal")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def serve(server: Recorder) -> Iterator[Recorder]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def other() -> Iterator[Recorder]:
    """The host the token must never reach."""
    yield from serve(Recorder())


@pytest.fixture
def portal() -> Iterator[Recorder]:
    yield from serve(Recorder())


def env_for(portal_url: str, home: Path) -> dict[str, str]:
    return cli_env(home, MONESPACE_PORTAL=portal_url, MONESPACE_TOKEN=TOKEN)


def test_api_refuses_another_origin(portal: Recorder, other: Recorder, tmp_path: Path) -> None:
    env = env_for(portal.url, tmp_path)
    for url in (
        other.url + "/x",  # another port
        portal.url.replace("127.0.0.1", "localhost") + "/x",  # another host name
        portal.url.replace("http://", "https://") + "/x",  # another scheme
    ):
        result = run_cli(["api", "GET", url], env)
        assert result.code == 2, result.err
        assert "is not on the portal" in result.err and "--no-credentials" in result.err
    assert other.seen == [] and portal.seen == []


def test_api_no_credentials_sends_without_token_and_says_so(
    portal: Recorder, other: Recorder, tmp_path: Path
) -> None:
    result = run_cli(
        ["api", "GET", other.url + "/x", "--no-credentials", "--as", "0856712314"],
        env_for(portal.url, tmp_path),
    )
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"path": "/x"}
    assert "without your token" in result.err
    [headers] = other.seen
    assert "authorization" not in headers and "x-acting-as" not in headers


def test_api_on_the_portal_itself_carries_the_token(portal: Recorder, tmp_path: Path) -> None:
    result = run_cli(["api", "GET", portal.url + "/api/v1/me"], env_for(portal.url, tmp_path))
    assert result.code == 0, result.err
    assert portal.seen[0]["authorization"] == f"Bearer {TOKEN}"


def test_a_redirect_never_takes_the_token_elsewhere(other: Recorder, tmp_path: Path) -> None:
    for hostile in serve(Recorder(redirect_to=other.url)):
        result = run_cli(["api", "GET", "dossiers"], env_for(hostile.url, tmp_path))
        assert result.code != 0  # a 302 is not an answer the CLI follows
        assert hostile.seen[0]["authorization"] == f"Bearer {TOKEN}"
    assert other.seen == []


def test_the_client_attaches_credentials_by_origin(portal: Recorder, other: Recorder) -> None:
    """The rule lives in the client: the TUI and bulk runs get it too."""
    with PortalClient(portal.url, token=TOKEN, acting_as="0856712314") as client:
        client.request("GET", other.url + "/x")
        client.request("GET", "dossiers")
    [foreign] = other.seen
    [own] = portal.seen
    assert "authorization" not in foreign and "x-acting-as" not in foreign
    assert own["authorization"] == f"Bearer {TOKEN}" and own["x-acting-as"] == "0856712314"
