"""A card revoked mid-stream ends that card's live streams, saying why.

The support scenario "my card was stolen": ``monespace-portal sandbox revoke
NRN`` (the real command) makes the sandbox OCSP responder answer "revoked";
the portal's streams re-check the session — certificate status included —
periodically even with nothing to deliver, so both ``/events`` and
``/agent/events`` of that card's sessions end with ``session-ended`` within
the configured recheck periods (1 s here), while another person's stream
stays open. The portal and its PKI are this module's own: revoking cards in
the shared PKI would lock other tests' people out.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from eid.pki import SandboxPKI
from tests.conftest import (
    BACKENDS,
    PortalServer,
    _database,
    init_portal,
    portal_env,
    session_token,
)
from tests.sse_reader import StreamReader

AGENT = "94051009265"  # Émilie Gaspard, agent of NAMUR: both streams are hers to open
CITIZEN = "86040203095"
API = "/api/v1"


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    directory = tmp_path_factory.mktemp(f"stream-revoked-{request.param}")
    pki_dir = directory / "pki"
    SandboxPKI.open(pki_dir)
    with _database(request.param, directory) as url:
        init_portal(url, pki_dir)
        env = {
            "MONESPACE_PORTAL_REVOCATION_RECHECK": "1",
            "MONESPACE_PORTAL_STREAM_RECHECK": "1",
            "MONESPACE_PORTAL_STREAM_RIGHTS_TTL": "1",
        }
        portal = PortalServer(url, pki_dir, directory / "server.log", extra_env=env)
        portal.start()
        try:
            yield portal
        finally:
            portal.stop()


def _until_ended(server: PortalServer, token: str, path: str) -> StreamReader:
    reader = StreamReader(
        server.url, token, until=lambda e: e.event == "session-ended", path=API + path
    )
    assert reader.status == 200
    return reader


def test_a_revoked_card_ends_both_streams_of_its_sessions(server: PortalServer) -> None:
    token = session_token(server.url, server.pki_dir, AGENT)
    own = _until_ended(server, token, "/events")
    agent = _until_ended(server, token, "/agent/events")
    bystander = _until_ended(server, session_token(server.url, server.pki_dir, CITIZEN), "/events")

    revoked = subprocess.run(
        [sys.executable, "-m", "portal", "sandbox", "revoke", AGENT],
        env=portal_env(server.database_url, server.pki_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert revoked.returncode == 0, revoked.stderr

    for stream in (own, agent):
        events = stream.result(timeout=20)
        assert events and events[-1].event == "session-ended", events
        final = events[-1].json()
        assert final["reason"] == "session"
        assert "revoked" in final["detail"] and "OCSP" in final["detail"], final
    assert not bystander.done.is_set(), bystander.events
