"""`GET /events`: the Server-Sent Events stream of the acting context's dossiers.

The stream machinery here is shared with the agents' `GET /agent/events`
(portal.api.agent): both differ only in *which* events a caller may see
(an :data:`EventRows` query) and whether the agent-only types are hidden.

Each poll opens its own short database session (the request's session is
not meant to live as long as a stream) and re-checks the login session, so
a logout or an expiry ends the stream instead of leaking events to a token
that is no longer valid.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.auth.deps import CurrentActor, DbSession
from portal.authz import Visibility
from portal.db import reading_session, release_early
from portal.dossiers import event_json, within_domains
from portal.models import AuthSession, Dossier, DossierEvent, utcnow
from portal.services.events import (
    AGENT_ONLY_TYPES,
    StreamEvent,
    event_frames,
    parse_last_event_id,
)

router = APIRouter(tags=["events"])

#: ``rows(db, after, limit)``: at most ``limit`` (event, dossier) rows the caller
#: may see with event id > ``after``, in id order. May raise :class:`SessionEnded`.
EventRows = Callable[[Session, int, int], Sequence[Any]]
LastEventId = Annotated[
    str | None, Header(alias="Last-Event-ID", max_length=40, description="resume after this")
]
#: Seconds after which a poll's "nothing more up to id N" is trusted: later polls
#: start at N even when none of those events was the caller's. The lag leaves
#: time for transactions that took an id earlier but commit later (PostgreSQL).
FLOOR_LAG = 30.0
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


class SessionEnded(Exception):
    """The login session behind the stream was revoked or expired (or lost its rights)."""


def _visible_events(seen: Visibility, after: int, limit: int) -> Select[DossierEvent, Dossier]:
    query = (
        select(DossierEvent, Dossier)
        .join(Dossier, Dossier.id == DossierEvent.dossier_id)
        .where(
            DossierEvent.id > after,
            Dossier.applicant_kind == seen.applicant_kind,
            Dossier.applicant_id == seen.applicant_id,
        )
    )
    return within_domains(query, seen).order_by(DossierEvent.id).limit(limit)


class _Poller:
    """``fetch_after`` for :func:`event_frames`: one short session a poll.

    Why a floor: the poll query walks the events table by id from the last
    event *sent*. A caller who sees few of the portal's events (an agent of
    a small service, an applicant) would otherwise re-read every event of
    everybody else since their last one, on each poll, for as long as the
    stream lives. Once a poll has read everything up to id N (the batch was
    not full) and FLOOR_LAG seconds have passed, later polls start at N.
    """

    def __init__(self, maker: Callable[[], Session], login_id: int, rows: EventRows) -> None:
        self._maker, self._login_id, self._rows = maker, login_id, rows
        self._floor = 0
        self._marks: deque[tuple[float, int]] = deque()

    def __call__(self, after: int, limit: int) -> Sequence[StreamEvent]:
        with self._maker() as db:
            login = db.get(AuthSession, self._login_id)
            if login is None or login.revoked_at is not None or login.expires_at <= utcnow():
                raise SessionEnded
            high = int(db.scalar(select(func.max(DossierEvent.id))) or 0)  # before the rows
            found = self._rows(db, max(after, self._floor), limit)
            events = [StreamEvent(e.id, e.type, event_json(e, d)) for e, d in found]
        now = time.monotonic()
        if len(events) < limit:
            self._marks.append((now, high))
        while self._marks and now - self._marks[0][0] >= FLOOR_LAG:
            self._floor = max(self._floor, self._marks.popleft()[1])
        return events


def _latest_id(maker: Callable[[], Session]) -> int:
    with maker() as db:
        return int(db.scalar(select(func.max(DossierEvent.id))) or 0)


async def event_stream(
    request: Request,
    db: Session,
    *,
    login_id: int,
    last_event_id: str | None,
    rows: EventRows,
    hidden: frozenset[str] = AGENT_ONLY_TYPES,
) -> StreamingResponse:
    """The `text/event-stream` answer: events after `Last-Event-ID` (or from now on).

    Call it once the caller is authorised: it hands the request's database
    session back at once (a stream lives for hours; portal.db.get_session
    counts requests using the database) and polls in sessions of its own.
    """
    await anyio.to_thread.run_sync(release_early, db)
    state = request.app.state

    def maker() -> Session:
        return reading_session(state)

    after = parse_last_event_id(last_event_id)
    if after is None:
        after = await anyio.to_thread.run_sync(_latest_id, maker)
    fetch = _Poller(maker, login_id, rows)
    poll = float(getattr(state.settings, "extra", {}).get("sse_poll_seconds", 1.0))

    async def stream() -> AsyncIterator[str]:
        try:
            async for frame in event_frames(
                fetch, after, request.is_disconnected, poll_interval=poll, hidden=hidden
            ):
                yield frame
        except SessionEnded:
            yield "event: session-ended\ndata: {}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers=STREAM_HEADERS)


@router.get(
    "/events",
    summary="Live dossier events (Server-Sent Events, resumable with Last-Event-ID)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(
    request: Request, actor: CurrentActor, db: DbSession, last_event_id: LastEventId = None
) -> StreamingResponse:
    """Events after `Last-Event-ID` (or from now on); a keepalive comment every 15 s."""
    seen = actor.visibility

    def rows(session: Session, after: int, limit: int) -> Sequence[Any]:
        return session.execute(_visible_events(seen, after, limit)).all()

    return await event_stream(
        request, db, login_id=actor.session.id, last_event_id=last_event_id, rows=rows
    )
