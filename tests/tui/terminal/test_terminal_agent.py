"""The agent queue in a real terminal, through a portal outage.

A quick filter pressed while the portal is down cannot load its rows; once
the portal is back the queue must show the new filter's rows (with their
counts), not the new counts over the old rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PortalServer, session_token
from tests.tui.agent.agent_tui_support import seeded_portal

#: Manon Jacquet: agent of SPW-ARNE.
AGENT = "98070305621"
REFERENCE = re.compile(r"\b[A-Z]{2,4}-20\d\d-\d{6}\b")


@pytest.fixture(scope="module")
def own_portal(
    pki_dir: Path, sandbox_database_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    """A portal of this module's own: the test stops and restarts it."""
    directory = tmp_path_factory.mktemp("terminal-agent")
    server = seeded_portal(sandbox_database_template, pki_dir, directory, dossiers=150, now=None)
    try:
        yield server
    finally:
        server.stop()


def test_a_quick_filter_pressed_during_an_outage_applies_once_the_portal_is_back(
    open_tui: Any, own_portal: PortalServer
) -> None:
    from monespace_cli.client import PortalClient

    token = session_token(own_portal.url, own_portal.pki_dir, AGENT)
    with PortalClient(own_portal.url, token=token) as client:
        first = client.agent_queue(limit=1).items[0]
        client.claim(str(first["id"]))  # at least one dossier is "mine"

    term = open_tui(AGENT, cols=120, rows=30, args=("--agent",), portal=own_portal, token=token)
    term.wait_for(lambda s: len(set(REFERENCE.findall(s))) > 3, what="the queue's rows")
    own_portal.stop()
    term.press("1")  # mine
    term.wait_for("Only: Mine", what="the filter in the queue's header")
    own_portal.start()
    screen = term.wait_for(only_mine, what="only the agent's own dossiers in the queue")
    assert "previous filter" not in screen


def only_mine(screen: str) -> bool:
    """Every row of the table (above the preview's rule) is assigned to the agent."""
    table = screen.split("────")[0]
    rows = [line for line in table.splitlines() if REFERENCE.search(line)]
    return bool(rows) and all(line.rstrip().endswith("Manon Jacquet") for line in rows)
