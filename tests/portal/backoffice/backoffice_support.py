"""Helpers of the back-office tests that run against the real server (uvicorn)."""

from __future__ import annotations

from typing import Any

import httpx

from monespace_cli.client._sse import ServerSentEvent
from tests.sse_reader import StreamReader

__all__ = ["StreamReader", "api", "of_dossier", "ok"]


def api(url: str, token: str) -> httpx.Client:
    """A client of ``/api/v1`` with the person's token."""
    return httpx.Client(
        base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def ok(answer: httpx.Response, status: int = 200) -> Any:
    """The JSON of an answer that must have ``status``."""
    assert answer.status_code == status, answer.text
    return answer.json()


def of_dossier(events: list[ServerSentEvent], dossier_id: str) -> list[dict[str, Any]]:
    """The Event objects of one dossier (the server is shared by the session's tests)."""
    found = []
    for event in events:
        data = event.json()
        if isinstance(data, dict) and data.get("dossier_id") == dossier_id:
            found.append(data)
    return found
