"""``PortalClient.agent_events``: the agents' live stream, read as the TUI reads ``events``."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from agent_support import AGENT, APPLICANT

from monespace_cli.client import NotFound, PortalClient


def test_agent_events_has_the_signature_of_events() -> None:
    """tui/live.py's follower calls either with the same keywords."""
    mine = inspect.signature(PortalClient.agent_events)
    theirs = inspect.signature(PortalClient.events)
    assert mine.parameters == theirs.parameters
    assert mine.return_annotation == theirs.return_annotation


def _read_until(stream: Any, dossier_id: str, wanted: str) -> list[Any]:
    """Events of the dossier until one of type ``wanted`` (the stream is never-ending)."""
    found = []
    for sse in stream:
        data = sse.json()
        if data.get("dossier_id") != dossier_id:
            continue
        found.append(sse)
        if sse.event == wanted:
            return found
    raise AssertionError("the stream ended")


def test_agent_events_resume_and_carry_agent_only_events(portal_server, tokens, file_dossier):
    dossier_id = file_dossier()
    with PortalClient(portal_server.url, token=tokens(AGENT)) as agent:
        agent.claim(dossier_id)
        agent.add_note(dossier_id, "Dossier complet à première vue.")
        history = agent.agent_history(dossier_id)
        start = next(e for e in history if e["type"] == "submitted")
        stream = agent.agent_events(last_event_id=int(start["id"]) - 1, max_failures=1)
        got = _read_until(iter(stream), dossier_id, "note")
        assert got[0].event == "submitted"
        assert {"assigned", "status_changed", "note"} <= {s.event for s in got}
        assert stream.last_event_id == got[-1].id
        # Resuming after the assignment gives what came after it, nothing before.
        assigned = next(s for s in got if s.event == "assigned")
        again = _read_until(
            iter(agent.agent_events(last_event_id=assigned.id, max_failures=1)), dossier_id, "note"
        )
        assert [s.id for s in again] == [s.id for s in got[got.index(assigned) + 1 :]]


def test_agent_events_refused_to_non_agents(portal_server, tokens) -> None:
    with PortalClient(portal_server.url, token=tokens(APPLICANT)) as client:
        with pytest.raises(NotFound):
            next(iter(client.agent_events(max_failures=1)))
