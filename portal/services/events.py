"""The Server-Sent Events wire format of dossier events, shared by every stream.

The dossier events table is the single source of truth: its ids grow
monotonically, so "everything after id N" is the resume point
(`Last-Event-ID`). Reading and fanning out live events is the hub's
(portal.streams.hub); here are only the frames, so that every stream writes
them the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

KEEPALIVE_FRAME = ": keepalive\n\n"
#: Event types private to the service's agents (the back office's notes and
#: assignments): never in an applicant's history, stream or notifications.
AGENT_ONLY_TYPES = frozenset({"note", "assigned"})


@dataclass(frozen=True)
class StreamEvent:
    """One event ready to send: its id, its type and its Event JSON."""

    id: int
    type: str
    data: dict[str, Any]


def format_event(event: StreamEvent) -> str:
    """The `id:`/`event:`/`data:` frame; JSON is one line so one `data:` suffices."""
    payload = json.dumps(event.data, separators=(",", ":"), ensure_ascii=False)
    return f"id: {event.id}\nevent: {event.type}\ndata: {payload}\n\n"


def parse_last_event_id(value: str | None) -> int | None:
    """The resume point, or None when absent or unreadable ("from now on").

    ASCII digits only: ``str.isdigit`` also accepts ``²`` (a Latin-1 header
    byte), which ``int`` refuses.
    """
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None
