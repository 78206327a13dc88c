"""One event source per process, fanned out in memory to every open stream.

Why: a stream that polls the database on its own costs a query a second
while nobody does anything; a few hundred idle streams took a core. Here
the process reads each new event once — on PostgreSQL when woken by the
``NOTIFY`` its writing transaction sent (portal.changes), with a
slow poll as a safety net; on SQLite in one poll loop — formats its frame
once, and hands it to the queues of the streams that may see it, after
checking their rights (portal.streams.rights). Several processes on one
database each run their hub; a stream resuming with ``Last-Event-ID`` reads
what it missed from the database first (:meth:`Hub.frames`).

Limits that keep one process healthy: a cap on streams per process, per
login session and per person (all their sessions together), 503 +
``Retry-After`` past one; a bounded queue per stream (a consumer that cannot
keep up is dropped with a final ``stream-ended`` event and resumes from the
database when it reconnects); and keep-alive comments so proxies keep idle
streams open.

Ids and late commits: on PostgreSQL a transaction may take an event id and
commit after a later id was read. The hub remembers the ids it skipped over
for ``LATE_COMMIT_WINDOW`` seconds and reads them again until they appear.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy import func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, joinedload

from portal import changes
from portal.backoffice.events import carries
from portal.config import StreamSettings
from portal.db import reading_session
from portal.domain.dossiers import event_json, visible_to
from portal.models import CsamAuditEntry, Dossier, DossierEvent, Procedure
from portal.problems import Problem
from portal.services.events import KEEPALIVE_FRAME, StreamEvent, format_event
from portal.streams.rights import AGENT, Grant, RightsCache, RightsKey, check

log = logging.getLogger(__name__)

BATCH = 500  # events read per round; more are read at once in the next one
LATE_COMMIT_WINDOW = 30.0  # seconds an id skipped over is looked for again
MAX_GAPS = 10_000
SWEEP_CHUNK = 100  # rights keys checked in one go by the periodic re-check
RETRY_FRAME = "retry: 2000\n\n"
#: ``reason`` of the final ``stream-ended`` event (docs/api.md "Event streams").
SLOW_CONSUMER, SHUTDOWN = "slow-consumer", "shutdown"
_KEEPALIVE_ID, _FINAL_ID = 0, -1


def ended_frame(event_type: str, reason: str, detail: str) -> str:
    """The last frame of a stream: why it ends (``session-ended`` or ``stream-ended``)."""
    body = json.dumps({"reason": reason, "detail": detail}, ensure_ascii=False)
    return f"event: {event_type}\ndata: {body}\n\n"


def final_frame(grant: Grant) -> str:
    """The ``session-ended`` frame of a refused grant."""
    return ended_frame("session-ended", grant.reason or "session", grant.detail)


@dataclass(frozen=True)
class Fresh:
    """One new event as read once for every stream: its frame and what decides who sees it."""

    id: int
    type: str
    frame: str
    applicant: tuple[str, str]
    domain: str | None
    event: DossierEvent
    dossier: Dossier


@dataclass(eq=False)
class Subscriber:
    """One open stream: its rights key, what it hides, and its bounded queue of frames."""

    key: RightsKey
    hidden: frozenset[str]
    queue: asyncio.Queue[tuple[int, str]]
    applicant: tuple[str, str] | None = None  # None for an agent stream
    last_frame: float = field(default_factory=time.monotonic)
    ended: bool = False

    def offer(self, item: tuple[int, str]) -> bool:
        """Queue a frame; False when the queue is full (the consumer is too slow)."""
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            return False
        self.last_frame = time.monotonic()
        return True

    def end(self, frame: str) -> None:
        """Drop what is queued and queue the final frame instead."""
        if self.ended:
            return
        self.ended = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait((_FINAL_ID, frame))


# --- database reads (worker threads) ----------------------------------------------


def latest_ids(db: Session) -> tuple[int, int]:
    """The newest event id and CSAM audit id: where a starting hub begins."""
    event = int(db.scalar(select(func.max(DossierEvent.id))) or 0)
    audit = int(db.scalar(select(func.max(CsamAuditEntry.id))) or 0)
    return event, audit


def read_new(
    db: Session, after: int, gaps: Sequence[int], audit_after: int
) -> tuple[list[Fresh], list[tuple[int, str]]]:
    """Events after ``after`` (or among ``gaps``), and CSAM changes after ``audit_after``."""
    condition = DossierEvent.id > after
    if gaps:
        condition = or_(condition, DossierEvent.id.in_(list(gaps)))
    rows = db.execute(
        select(DossierEvent, Dossier, Procedure.domain)
        .join(Dossier, Dossier.id == DossierEvent.dossier_id)
        .join(Procedure, Procedure.code == Dossier.procedure_code)
        .options(joinedload(DossierEvent.actor))
        .where(condition)
        .order_by(DossierEvent.id)
        .limit(BATCH)
    ).all()
    fresh = []
    for event, dossier, domain in rows:
        body = event_json(event, dossier)
        frame = format_event(StreamEvent(event.id, event.type, body))
        applicant = (dossier.applicant_kind, dossier.applicant_id)
        fresh.append(Fresh(event.id, event.type, frame, applicant, domain, event, dossier))
    audits = db.execute(
        select(CsamAuditEntry.id, CsamAuditEntry.organisation_bce)
        .where(CsamAuditEntry.id > audit_after)
        .order_by(CsamAuditEntry.id)
        .limit(BATCH)
    ).all()
    return fresh, [(int(i), str(bce)) for i, bce in audits]


class _Cursor:
    """Where the hub is in the events table, and the ids it skipped over (late commits)."""

    def __init__(self, last: int, audit: int) -> None:
        self.last, self.audit = last, audit
        self.gaps: dict[int, float] = {}

    def pending_gaps(self) -> list[int]:
        now = time.monotonic()
        for pk in [pk for pk, until in self.gaps.items() if until <= now]:
            del self.gaps[pk]
        return sorted(self.gaps)

    def advance(self, fresh: Sequence[Fresh], audits: Sequence[tuple[int, str]]) -> None:
        ids = sorted(f.id for f in fresh)
        for pk in ids:
            self.gaps.pop(pk, None)
        newest = max([self.last, *ids])
        if newest > self.last:
            seen = set(ids)
            until = time.monotonic() + LATE_COMMIT_WINDOW
            for pk in range(self.last + 1, newest):
                if pk not in seen and len(self.gaps) < MAX_GAPS:
                    self.gaps[pk] = until
            self.last = newest
        if audits:
            self.audit = max(self.audit, max(i for i, _ in audits))


# --- the hub ----------------------------------------------------------------------


class Hub:
    """The process's event source and its subscribers; everything runs on one event loop.

    ``wake`` and ``heard`` may be called from any thread (a committing request's).
    """

    def __init__(self, state: Any, settings: StreamSettings) -> None:
        self.state = state
        self.settings = settings
        self.rights = RightsCache(settings.rights_ttl)
        self._subscribers: set[Subscriber] = set()
        #: Streams by rights key (checked once for all), keys by applicant, agents' keys.
        self._groups: dict[RightsKey, set[Subscriber]] = {}
        self._by_applicant: dict[tuple[str, str], set[RightsKey]] = {}
        self._agent_keys: set[RightsKey] = set()
        self._per_login: dict[str, int] = {}
        self._per_person: dict[str, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._cursor: _Cursor | None = None
        self._limiter = anyio.CapacityLimiter(2)  # never queued behind requests' threads
        self._rights_lock: asyncio.Lock | None = None
        self._unsubscribe: Callable[[], None] | None = None
        #: Called when new events are heard of or read (the webhook dispatcher's wake-up).
        self.on_new_events: list[Callable[[], None]] = []

    # -- lifecycle --

    @property
    def postgres(self) -> bool:
        return bool(self.state.engine.dialect.name == "postgresql")

    async def start(self) -> None:
        """Start reading (the app's lifespan)."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._rights_lock = asyncio.Lock()
        self._unsubscribe = changes.subscribe(self.heard)
        source = self._listen if self.postgres else self._poll
        self._tasks = [
            asyncio.create_task(source(), name="stream-hub-source"),
            asyncio.create_task(self._housekeeping(), name="stream-hub-housekeeping"),
        ]

    async def stop(self) -> None:
        """End every stream (``stream-ended``, reason ``shutdown``) and stop reading."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        for sub in list(self._subscribers):
            sub.end(ended_frame("stream-ended", SHUTDOWN, "the portal is restarting"))
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        self._loop = None

    # -- called from any thread --

    def wake(self) -> None:
        """Read the events table now."""
        loop, wakeup = self._loop, self._wakeup
        if loop is None or wakeup is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing
            loop.call_soon_threadsafe(wakeup.set)

    def heard(self, new_events: bool, tags: frozenset[str]) -> None:
        """A commit of this process (portal.changes): invalidate, then read."""
        if tags:
            self._invalidate(tags)
        if new_events:
            self.wake()
            self._tell_new_events()

    def _tell_new_events(self) -> None:
        for wake in self.on_new_events:
            wake()

    def _invalidate(self, tags: frozenset[str]) -> None:
        self.rights.invalidate(tags)
        loop = self._loop
        if loop is not None and changes.EVERYONE not in tags:
            # Few streams are concerned: check them now, so they end without waiting
            # for an event (a broad change waits for the next delivery or sweep).
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._recheck_touched, tags)

    def _recheck_touched(self, tags: frozenset[str]) -> None:
        keys = [key for key in self._groups if key.touched_by(tags)]
        if keys:
            task = asyncio.ensure_future(self._recheck(keys))
            task.add_done_callback(_log_failure)

    # -- subscribers --

    def open(
        self,
        key: RightsKey,
        *,
        applicant: tuple[str, str] | None,
        hidden: frozenset[str],
    ) -> Subscriber:
        """Register a stream; 503 + Retry-After when a cap is reached."""
        limits = self.settings
        if len(self._subscribers) >= limits.max_per_process:
            raise _busy(
                f"this portal process serves its maximum of {limits.max_per_process} streams"
            )
        if self._per_login.get(key.login_id, 0) >= limits.max_per_session:
            raise _busy(
                f"this login session already has {limits.max_per_session} open streams; "
                "close one (or wait) and retry"
            )
        if self._per_person.get(key.nrn, 0) >= limits.max_per_person:
            # Logging in again is cheap: without this, one card's sessions could take every place.
            raise _busy(
                f"your login sessions already have {limits.max_per_person} open streams; "
                "close some (or wait) and retry"
            )
        sub = Subscriber(key, hidden, asyncio.Queue(limits.queue_size), applicant)
        self._subscribers.add(sub)
        self._per_login[key.login_id] = self._per_login.get(key.login_id, 0) + 1
        self._per_person[key.nrn] = self._per_person.get(key.nrn, 0) + 1
        self._groups.setdefault(key, set()).add(sub)
        if applicant is None:
            self._agent_keys.add(key)
        else:
            self._by_applicant.setdefault(applicant, set()).add(key)
        return sub

    def close(self, sub: Subscriber) -> None:
        """Forget a stream (its response ended or its client left)."""
        if sub not in self._subscribers:
            return
        self._subscribers.discard(sub)
        left = self._per_login.get(sub.key.login_id, 1) - 1
        if left > 0:
            self._per_login[sub.key.login_id] = left
        else:
            self._per_login.pop(sub.key.login_id, None)
        left = self._per_person.get(sub.key.nrn, 1) - 1
        if left > 0:
            self._per_person[sub.key.nrn] = left
        else:
            self._per_person.pop(sub.key.nrn, None)
        group = self._groups.get(sub.key, set())
        group.discard(sub)
        if group:
            return
        self._groups.pop(sub.key, None)
        self._agent_keys.discard(sub.key)
        if sub.applicant is not None:
            keys = self._by_applicant.get(sub.applicant, set())
            keys.discard(sub.key)
            if not keys:
                self._by_applicant.pop(sub.applicant, None)
        self.rights.forget([sub.key])

    @property
    def count(self) -> int:
        """Open streams in this process."""
        return len(self._subscribers)

    async def frames(
        self, sub: Subscriber, backlog: Callable[[], Sequence[StreamEvent]] | None
    ) -> AsyncIterator[str]:
        """The stream's text: retry hint, what it missed (``backlog``), then live frames.

        ``backlog()`` (run in a worker thread) returns the next events the
        caller missed, in id order, empty once caught up; the stream was
        registered before, so nothing written meanwhile is lost, and what
        both give is sent once.
        """
        try:
            yield RETRY_FRAME
            sent: set[int] = set()
            while backlog is not None and not sub.ended:
                batch = await anyio.to_thread.run_sync(backlog, limiter=self._limiter)
                if not batch:
                    break
                for event in batch:
                    sent.add(event.id)
                    if event.type not in sub.hidden:
                        yield format_event(event)
            while True:
                pk, frame = await sub.queue.get()
                if pk in sent:
                    continue
                yield frame
                if pk == _FINAL_ID:
                    return
        finally:
            self.close(sub)

    # -- reading --

    async def _poll(self) -> None:
        """SQLite: one poll loop, woken early by this process's commits."""
        await self._read_loop(self.settings.poll_seconds)

    async def _read_loop(
        self, interval: float, after_read: Callable[[], Any] | None = None
    ) -> None:
        assert self._wakeup is not None
        while True:
            self._wakeup.clear()
            try:
                await self._read_round(after_read)
            except (DBAPIError, OSError) as exc:
                log.warning("event hub: the database is unreachable (%s)", type(exc).__name__)
            except Exception:
                log.exception("event hub: a round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), interval)

    async def _read_round(self, after_read: Callable[[], Any] | None = None) -> None:
        """Read what is new once; deliver it (more rounds at once when a batch was full)."""
        if self._cursor is None:
            last, audit = await self._db(latest_ids)
            self._cursor = _Cursor(last, audit)
        cursor = self._cursor
        while True:
            fresh, audits = await self._db(
                read_new, cursor.last, cursor.pending_gaps(), cursor.audit
            )
            if after_read is not None:
                await after_read()  # PostgreSQL: take in every notification sent before
            if audits:
                self._invalidate(frozenset(f"org:{bce}" for _, bce in audits))
            cursor.advance(fresh, audits)
            if fresh:
                self._tell_new_events()
                await self._fan_out(fresh)
            if len(fresh) < BATCH and len(audits) < BATCH:
                return

    async def _db(self, work: Callable[..., Any], *args: Any) -> Any:
        def run() -> Any:
            with reading_session(self.state) as db:
                return work(db, *args)

        return await anyio.to_thread.run_sync(run, limiter=self._limiter)

    async def _listen(self) -> None:
        """PostgreSQL: LISTEN on both channels; read on each notification, poll slowly too."""
        import psycopg  # only the PostgreSQL extra installs it

        url = self.state.engine.url.set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        delay = 1.0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {changes.EVENTS_CHANNEL}")
                    await conn.execute(f"LISTEN {changes.RIGHTS_CHANNEL}")
                    # Notifications may have been missed while not listening.
                    self._invalidate(frozenset({changes.EVERYONE}))
                    delay = 1.0
                    await self._listen_on(conn)
            except (psycopg.Error, OSError) as exc:
                log.warning("event hub: LISTEN connection lost (%s); polling until back", exc)
                with contextlib.suppress(Exception):
                    await self._read_round()
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.safety_poll_seconds)

    async def _listen_on(self, conn: Any) -> None:
        async def barrier() -> None:
            # A query on the listening connection returns only after PostgreSQL has
            # sent it every notification of transactions committed before: so a
            # revocation committed before an event just read is applied first.
            await conn.execute("SELECT 1")
            self._take([n async for n in conn.notifies(timeout=0)])

        await self._read_round(barrier)
        while True:
            notes = [
                n
                async for n in conn.notifies(
                    timeout=self.settings.safety_poll_seconds, stop_after=1
                )
            ]
            if self._take(notes) or not notes:
                await self._read_round(barrier)

    def _take(self, notes: Sequence[Any]) -> bool:
        """Apply rights notifications; whether an events one was among them."""
        events = False
        for note in notes:
            if note.channel == changes.RIGHTS_CHANNEL:
                self._invalidate(changes.parse_payload(note.payload))
            elif note.channel == changes.EVENTS_CHANNEL:
                events = True
        if events:
            self._tell_new_events()
        return events

    # -- delivering --

    async def _fan_out(self, fresh: Sequence[Fresh]) -> None:
        """Queue each event's frame for the streams whose rights, checked now, allow it.

        Decided once per rights key (streams sharing a session and context),
        then the frame is queued for each of its streams.
        """
        wanted: list[tuple[Fresh, RightsKey]] = []
        for item in fresh:
            wanted += [(item, key) for key in self._by_applicant.get(item.applicant, ())]
            for key in self._agent_keys:
                grant = self.rights.cached(key)
                # A stale grant pre-selects only: the fresh one decides below.
                if grant is None or not grant.allowed or _agent_sees(grant, item):
                    wanted.append((item, key))
        if not wanted:
            return
        grants = await self._grants({key for _, key in wanted})
        for item, key in wanted:
            grant = grants[key]
            if not grant.allowed:
                self._end_group(key, final_frame(grant))
            elif _sees(grant, item):
                for sub in list(self._groups.get(key, ())):
                    if sub.ended or item.type in sub.hidden:
                        continue
                    if not sub.offer((item.id, item.frame)):
                        sub.end(ended_frame("stream-ended", SLOW_CONSUMER, _SLOW_DETAIL))

    def _end_group(self, key: RightsKey, frame: str) -> None:
        for sub in list(self._groups.get(key, ())):
            sub.end(frame)

    async def _grants(self, keys: set[RightsKey]) -> dict[RightsKey, Grant]:
        """A trusted grant for each key: cached, or checked now (in one thread call)."""
        grants: dict[RightsKey, Grant] = {}
        missing = []
        for key in keys:
            grant = self.rights.fresh(key)
            if grant is None:
                missing.append(key)
            else:
                grants[key] = grant
        if missing:
            grants.update(await self._check(missing))
        return grants

    async def _check(self, keys: Sequence[RightsKey]) -> dict[RightsKey, Grant]:
        assert self._rights_lock is not None
        async with self._rights_lock:
            started = self.rights.now()

            def work(db: Session) -> dict[RightsKey, Grant]:
                return {key: check(db, key) for key in keys}

            grants: dict[RightsKey, Grant] = await self._db(work)
            for key, grant in grants.items():
                self.rights.store(key, grant, started)
            return grants

    async def _recheck(self, keys: Sequence[RightsKey]) -> None:
        """Check ``keys`` now; end the streams that lost their rights."""
        keys = [k for k in keys if k in self._groups]
        if not keys:
            return
        grants = await self._check(keys)
        for key, grant in grants.items():
            if not grant.allowed:
                self._end_group(key, final_frame(grant))

    async def _housekeeping(self) -> None:
        """Keep-alives (each stream silent for ``keepalive_seconds``) and the periodic re-check."""
        last_sweep = time.monotonic()
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            limit = now - self.settings.keepalive_seconds
            for sub in self._subscribers:
                if sub.last_frame <= limit and not sub.ended:
                    sub.offer((_KEEPALIVE_ID, KEEPALIVE_FRAME))  # a full queue: no need
            if now - last_sweep >= self.settings.recheck_seconds:
                last_sweep = now
                try:
                    due = self.rights.due(list(self._groups), self.settings.recheck_seconds)
                    # In chunks: deliveries waiting for a check are not held up by a sweep.
                    for start in range(0, len(due), SWEEP_CHUNK):
                        await self._recheck(due[start : start + SWEEP_CHUNK])
                except Exception:
                    log.exception("event hub: the periodic rights check failed")


_SLOW_DETAIL = "the stream was not read fast enough; reconnect with Last-Event-ID to resume"


def _sees(grant: Grant, item: Fresh) -> bool:
    if grant.caller is not None:
        return _agent_sees(grant, item)
    return grant.visibility is not None and visible_to(
        grant.visibility, item.applicant, item.domain
    )


def _agent_sees(grant: Grant, item: Fresh) -> bool:
    return grant.caller is not None and carries(grant.caller, item.event, item.dossier)


def _busy(detail: str) -> Problem:
    return Problem("unavailable", detail, headers={"Retry-After": "5"})


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("event hub: a rights check failed", exc_info=task.exception())


def key_for(login_id: str, nrn: str, token: str, *, agent: bool, acting_as: str) -> RightsKey:
    """The rights key of a stream being opened."""
    kind = AGENT if agent else "applicant"
    return RightsKey(login_id, nrn, kind, "" if agent else acting_as, token)


def install(app: Any) -> Hub:
    """Run a hub during ``app``'s lifespan (``app.state.stream_hub``)."""
    hub = Hub(app.state, app.state.settings.streams)
    app.state.stream_hub = hub
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            dispatcher = getattr(app.state, "webhook_dispatcher", None)
            if dispatcher is not None:
                hub.on_new_events.append(dispatcher.wake)
            await hub.start()
            try:
                yield state
            finally:
                await hub.stop()

    app.router.lifespan_context = lifespan
    return hub
