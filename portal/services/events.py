"""The Server-Sent Events stream of dossier events, fed by polling the database.

Why poll the table instead of an in-process queue: several portal processes
run behind one load balancer; an event written by process A must reach a
client connected to process B. The dossier events table is the single
source of truth, its ids grow monotonically, so "everything after id N" is
both the resume point (`Last-Event-ID`) and the poll query. Polling every
second is cheap with the index on the id; PostgreSQL LISTEN/NOTIFY can wake
the loop earlier later without changing the wire format.

The stream logic here knows nothing of SQL or HTTP: it calls `fetch_after`
(run in a worker thread, since the ORM is synchronous) and yields text
frames, so it can be tested with plain functions.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

KEEPALIVE_FRAME = ": keepalive\n\n"
#: Event types private to the service's agents (the back office's notes and
#: assignments): never in an applicant's history, stream or notifications.
AGENT_ONLY_TYPES = frozenset({"note", "assigned"})
POLL_INTERVAL = 1.0  # seconds between database polls when idle
KEEPALIVE_INTERVAL = 15.0  # docs/api.md: a keepalive comment every 15 s
BATCH = 200  # events fetched per poll; more are fetched on the next loop at once


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
    """The resume point, or None when absent or unreadable ("from now on")."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


FetchAfter = Callable[[int, int], Sequence[StreamEvent]]


async def event_frames(
    fetch_after: FetchAfter,
    last_id: int,
    is_disconnected: Callable[[], Awaitable[bool]],
    *,
    poll_interval: float = POLL_INTERVAL,
    keepalive_interval: float = KEEPALIVE_INTERVAL,
    hidden: frozenset[str] = AGENT_ONLY_TYPES,
) -> AsyncIterator[str]:
    """Yield frames for every event after `last_id`, forever, with keepalives.

    `fetch_after(last_id, limit)` returns at most `limit` visible events with
    id > last_id in id order. A retry hint of 2 s goes first so clients
    reconnect quickly after a dropped connection. Events of a `hidden` type
    are skipped (by default the agent-only ones; the agents' own stream
    hides none).
    """
    yield "retry: 2000\n\n"
    last_keepalive = time.monotonic()
    while not await is_disconnected():
        batch = await anyio.to_thread.run_sync(fetch_after, last_id, BATCH)
        for event in batch:
            last_id = max(last_id, event.id)
            if event.type not in hidden:
                yield format_event(event)
        if batch:
            last_keepalive = time.monotonic()
            if len(batch) == BATCH:
                continue  # more are waiting: no sleep
        elif time.monotonic() - last_keepalive >= keepalive_interval:
            last_keepalive = time.monotonic()
            yield KEEPALIVE_FRAME
        await anyio.sleep(poll_interval)
