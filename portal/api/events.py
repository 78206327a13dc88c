"""`GET /events`: the Server-Sent Events stream of the acting context's dossiers.

Each poll opens its own short database session (the request's session is
not meant to live as long as a stream) and re-checks the login session, so
a logout or an expiry ends the stream instead of leaking events to a token
that is no longer valid.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Annotated

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
from portal.services.events import StreamEvent, event_frames, parse_last_event_id

router = APIRouter(tags=["events"])


class SessionEnded(Exception):
    """The login session behind the stream was revoked or expired."""


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


def _fetcher(
    maker: Callable[[], Session], seen: Visibility, auth_session_id: int
) -> Callable[[int, int], Sequence[StreamEvent]]:
    def fetch_after(after: int, limit: int) -> Sequence[StreamEvent]:
        with maker() as db:
            login = db.get(AuthSession, auth_session_id)
            if login is None or login.revoked_at is not None or login.expires_at <= utcnow():
                raise SessionEnded
            rows = db.execute(_visible_events(seen, after, limit)).all()
            return [StreamEvent(e.id, e.type, event_json(e, d)) for e, d in rows]

    return fetch_after


def _latest_id(maker: Callable[[], Session]) -> int:
    with maker() as db:
        return int(db.scalar(select(func.max(DossierEvent.id))) or 0)


@router.get(
    "/events",
    summary="Live dossier events (Server-Sent Events, resumable with Last-Event-ID)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(
    request: Request,
    actor: CurrentActor,
    db: DbSession,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=40, description="resume after this")
    ] = None,
) -> StreamingResponse:
    """Events after `Last-Event-ID` (or from now on); a keepalive comment every 15 s."""
    seen, login_id = actor.visibility, actor.session.id
    # End the request's transaction and give its turn back now: a stream
    # lives for hours (portal.db.get_session counts requests using the database).
    await anyio.to_thread.run_sync(release_early, db)
    state = request.app.state

    def maker() -> Session:
        return reading_session(state)

    after = parse_last_event_id(last_event_id)
    if after is None:
        after = await anyio.to_thread.run_sync(_latest_id, maker)
    fetch = _fetcher(maker, seen, login_id)
    settings = request.app.state.settings
    poll = float(getattr(settings, "extra", {}).get("sse_poll_seconds", 1.0))

    async def stream() -> AsyncIterator[str]:
        try:
            async for frame in event_frames(
                fetch, after, request.is_disconnected, poll_interval=poll
            ):
                yield frame
        except SessionEnded:
            yield "event: session-ended\ndata: {}\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
