"""`GET /events`: the Server-Sent Events stream of the acting context's dossiers.

The stream machinery here is shared with the agents' `GET /agent/events`
(portal.api.agent): both differ only in *which* events a caller may see (an
:data:`EventRows` query for what a resuming client missed, the rights key
for live events) and whether the agent-only types are hidden.

Live events come from the process's hub (portal.streams.hub), which reads
each new event once for every stream and checks each stream's rights again
on every delivery; this module only authorises the opening, registers the
stream and reads, with ``Last-Event-ID``, what the client missed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from starlette.types import Receive, Scope, Send

from portal.api.schemas import problems
from portal.auth.deps import CurrentActor, DbSession
from portal.db import reading_session, release_early
from portal.domain.authz import Visibility
from portal.domain.dossiers import event_json, within_domains
from portal.models import Dossier, DossierEvent
from portal.services.events import AGENT_ONLY_TYPES, StreamEvent, parse_last_event_id
from portal.streams.hub import BATCH, Hub, Subscriber, key_for

router = APIRouter(tags=["events"])

#: ``rows(db, after, limit)``: at most ``limit`` (event, dossier) rows the caller
#: may see with event id > ``after``, in id order.
EventRows = Callable[[Session, int, int], Sequence[Any]]
LastEventId = Annotated[
    str | None, Header(alias="Last-Event-ID", max_length=40, description="resume after this")
]
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
#: The answers a stream's opening may get besides 200 (docs/api.md "Event streams").
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}},
    **problems(401, 403, 503),
}


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


class _Backlog:
    """What a resuming client missed, read from the database in batches until caught up."""

    def __init__(self, maker: Callable[[], Session], after: int, rows: EventRows) -> None:
        self._maker, self._after, self._rows = maker, after, rows
        self._done = False

    def __call__(self) -> Sequence[StreamEvent]:
        if self._done:
            return []
        with self._maker() as db:
            found = self._rows(db, self._after, BATCH)
            events = [StreamEvent(e.id, e.type, event_json(e, d)) for e, d in found]
        if events:
            self._after = events[-1].id
        self._done = len(events) < BATCH
        return events


class _HubStream(StreamingResponse):
    """A streaming answer that leaves the hub however it ends (even before its first byte)."""

    def __init__(self, hub: Hub, sub: Subscriber, frames: Any) -> None:
        super().__init__(frames, media_type="text/event-stream", headers=STREAM_HEADERS)
        self._hub, self._sub = hub, sub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._hub.close(self._sub)


def bearer_token(request: Request) -> str:
    """The request's bearer token (already authenticated by the endpoint's dependencies)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def event_stream(
    request: Request,
    db: Session,
    *,
    login_id: str,
    nrn: str,
    acting_as: str,
    applicant: tuple[str, str] | None,
    last_event_id: str | None,
    rows: EventRows,
    hidden: frozenset[str] = AGENT_ONLY_TYPES,
) -> StreamingResponse:
    """The `text/event-stream` answer: events after `Last-Event-ID` (or from now on).

    Call it once the caller is authorised: it hands the request's database
    session back at once (a stream lives for hours; portal.db.get_session
    counts requests using the database). ``applicant`` is the context's
    ``(kind, id)``, None for an agent's stream. 503 + Retry-After when the
    process or the login session has its maximum of streams open.
    """
    await anyio.to_thread.run_sync(release_early, db)
    state = request.app.state
    hub: Hub = state.stream_hub
    key = key_for(
        login_id, nrn, bearer_token(request), agent=applicant is None, acting_as=acting_as
    )
    after = parse_last_event_id(last_event_id)
    backlog = None
    if after is not None:
        backlog = _Backlog(lambda: reading_session(state), after, rows)
    sub = hub.open(key, applicant=applicant, hidden=hidden)
    try:
        return _HubStream(hub, sub, hub.frames(sub, backlog))
    except BaseException:
        hub.close(sub)  # a stream registered but never served would hold its place for good
        raise


@router.get(
    "/events",
    summary="Live dossier events (Server-Sent Events, resumable with Last-Event-ID)",
    response_class=StreamingResponse,
    responses=STREAM_RESPONSES,
)
async def events(
    request: Request, actor: CurrentActor, db: DbSession, last_event_id: LastEventId = None
) -> StreamingResponse:
    """Events after `Last-Event-ID` (or from now on); a keepalive comment when idle.

    The caller's session and role or mandate for `X-Acting-As` are checked
    again on each delivery; when they are gone the stream ends with
    `event: session-ended` saying why.
    """
    seen = actor.visibility

    def rows(session: Session, after: int, limit: int) -> Sequence[Any]:
        return session.execute(_visible_events(seen, after, limit)).all()

    return await event_stream(
        request,
        db,
        login_id=actor.login_id,
        nrn=actor.person.nrn,
        acting_as=actor.acting_as,
        applicant=(seen.applicant_kind, seen.applicant_id),
        last_event_id=last_event_id,
        rows=rows,
    )
