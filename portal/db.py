"""Database engine and sessions for SQLite and PostgreSQL.

Why the SQLite tuning: the sandbox runs on one SQLite file shared by several
uvicorn workers and test processes. WAL lets readers run while one writer
writes; ``busy_timeout`` makes a writer wait for the lock instead of failing;
foreign keys are off by default in SQLite and must be switched on for each
connection. Every writing transaction starts with ``BEGIN IMMEDIATE``: a
deferred transaction that reads and then writes can fail at once with
"database is locked" when another writer committed in between (the busy
timeout does not help there), while an immediate one simply waits its turn.
Requests that only read begin ``DEFERRED`` (see :func:`get_session`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

# Tells the live streams and webhooks what each commit changed (new events,
# rights): imported for its session hooks, so every session of every process
# that uses the database carries them.
import portal.changes  # noqa: F401
from portal.problems import Problem, busy

_F = TypeVar("_F", bound=Callable[..., Any])
log = logging.getLogger("portal.db")

SQLITE_BUSY_TIMEOUT_MS = 30_000


#: Connections per server process: as many as the 40 threads that run sync
#: endpoints (AnyIO's default), plus a few for the SSE streams and the
#: webhook dispatcher, so a request never waits for a connection another
#: thread could free.
POOL_SIZE = 10
POOL_OVERFLOW = 40


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW
        )
    pool: dict[str, int] = {}
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **pool)
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own
        # transaction handling would emit a deferred BEGIN).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (answers are built after)."""
    return sessionmaker(engine, expire_on_commit=False)


#: Requests that only read: on SQLite they take no write lock (see get_session).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES = "__monespace_writes__"
READ_ONLY = "monespace_read_only"
SLOT = "monespace_slot"


def writes(endpoint: _F) -> _F:
    """Mark a GET endpoint that writes (e.g. an access-log entry) as a writer."""
    setattr(endpoint, _WRITES, True)
    return endpoint


def _is_write(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    return request.method not in READ_METHODS or bool(getattr(endpoint, _WRITES, False))


#: Requests of one process that may use the database at once. Fewer than
#: AnyIO's 40 threads and than the connection pool, so a request that holds a
#: connection always finds a thread to go on, and one that has a thread
#: always finds a connection (see get_session).
CONCURRENT_REQUESTS = 30


class _Slot:
    """A request's place among CONCURRENT_REQUESTS; released once."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore: asyncio.Semaphore | None = semaphore

    def release(self) -> None:
        if self._semaphore is not None:
            self._semaphore.release()
            self._semaphore = None


def _state_lock(state: Any, name: str, make: Callable[[], Any]) -> Any:
    lock = getattr(state, name, None)
    if lock is None:
        lock = make()
        setattr(state, name, lock)
    return lock


async def get_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: one session a request, rolled back unless committed.

    Why ``async`` and a semaphore although the endpoints are sync: a request
    runs its sync dependencies and its endpoint in different pool threads,
    holding its database connection (and on SQLite, for a writer, the
    database lock) in between. Under load every thread could be taken by
    requests waiting for a connection or the lock that requests waiting for
    a thread hold: a deadlock until a 30 s time-out (found by
    bench/load_bench.py). So requests wait their turn here, on the event
    loop, holding nothing: at most CONCURRENT_REQUESTS at once, and on SQLite
    one writer at a time. Creating the session does not connect.

    On SQLite a reading request begins a deferred transaction (WAL readers
    block no one); writers begin ``IMMEDIATE``.
    """
    state = request.app.state
    engine: Engine = state.engine
    sqlite = engine.dialect.name == "sqlite"
    writer = _is_write(request)
    semaphore = _state_lock(state, "db_slots", lambda: asyncio.Semaphore(CONCURRENT_REQUESTS))
    gate = _state_lock(state, "sqlite_write_gate", asyncio.Lock) if sqlite and writer else None
    wait = float(getattr(state.settings, "queue_wait_seconds", 1.0))
    deadline = asyncio.get_running_loop().time() + wait
    if gate is not None:
        # SQLite writes one at a time: a writer's turn is longer in coming than a slot.
        deadline += WRITER_WAIT_FACTOR * wait
        await _take_turn(gate.acquire(), deadline - asyncio.get_running_loop().time())
    try:
        await _take_turn(semaphore.acquire(), deadline - asyncio.get_running_loop().time())
        slot = _Slot(semaphore)
        try:
            session = _open(state, engine, sqlite=sqlite, writer=writer)
            session.info[SLOT] = slot
            try:
                yield _with_info(session, request)
            except (OperationalError, InterfaceError) as exc:
                if _is_schema_error(exc):
                    raise  # a bug or a database never migrated: a 500, logged
                raise _unavailable(exc) from exc
            finally:
                _close(session)
        finally:
            slot.release()
    finally:
        if gate is not None:
            gate.release()


async def _take_turn(acquire: Awaitable[Any], seconds: float) -> None:
    """Wait at most ``seconds`` for a turn at the database; then 503 (portal/http/overload.py).

    Why not wait longer: a request still queued after a second or so belongs
    to a process that is saturated; its client is better served by a quick
    503 + Retry-After than by an answer after tens of seconds.
    """
    try:
        await asyncio.wait_for(acquire, max(seconds, 0.001))
    except TimeoutError:
        raise busy("the portal is busy right now; retry in a moment") from None


#: On SQLite a writer may wait this many times the queue wait for the write lock.
WRITER_WAIT_FACTOR = 4


#: SQLite reports these as OperationalError too, but no retry will help.
_SCHEMA_ERRORS = ("no such table", "no such column", "has no column named", "syntax error")


def _is_schema_error(exc: DBAPIError) -> bool:
    """A statement the schema cannot run (SQLite's words), not a database away."""
    message = str(exc.orig or "").lower()
    return any(words in message for words in _SCHEMA_ERRORS)


#: Seconds a client is told to wait when the database cannot be reached.
RETRY_AFTER_UNAVAILABLE = "2"


def _unavailable(exc: DBAPIError) -> Problem:
    """The database is down, restarting or unreachable: 503, not 500.

    Why here: every request's database work runs inside :func:`get_session`,
    so one place turns a lost connection (PostgreSQL restarted, connection
    refused, SQLite busy past its time-out) into the 503 problem the
    clients retry on. The transaction was not committed (or its commit was
    lost, which a retry with the same Idempotency-Key settles). The pool
    pings connections before use (``pool_pre_ping``), so once the database
    is back the stale connections are replaced and requests succeed again
    without a restart of the portal.
    """
    first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    log.warning("database unavailable (%s): answering 503", first)
    return Problem(
        "unavailable",
        "the portal's database is unavailable; retry shortly",
        headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
    )


def _close(session: Session) -> None:
    """Close a request's session; a connection the database dropped is not an error here.

    Why: closing rolls back what was not committed, and on a connection
    PostgreSQL has just terminated (a restart) that rollback fails. The
    request's answer is already decided by then (its commit happened or it
    did not); SQLAlchemy has invalidated the dead connection, so the pool
    will not hand it out again. Raising here would turn a good answer into a
    reset connection (found by tests/portal/scale/test_postgres_restart.py).
    """
    try:
        session.close()
    except (OperationalError, InterfaceError) as exc:
        log.warning("closing a session on a lost database connection: %s", type(exc.orig).__name__)


def _open(state: Any, engine: Engine, *, sqlite: bool, writer: bool) -> Session:
    factory: sessionmaker[Session] = state.sessionmaker
    if not sqlite or writer:
        return factory()
    reader = _state_lock(
        state, "sqlite_read_engine", lambda: engine.execution_options(sqlite_begin="DEFERRED")
    )
    session = factory(bind=reader)
    session.info[READ_ONLY] = True
    return session


@contextlib.contextmanager
def write_apart(db: Session) -> Iterator[Session]:
    """A short writing transaction of its own, for a reading request's small write.

    Why: a GET that must leave a trace (a mandataire's read in the client's
    access log) used to be a writer from its start, so on SQLite it queued
    behind every other writer of the process (the write gate) and read
    inside ``BEGIN IMMEDIATE``. Instead the request stays a reader; this ends
    its read transaction and gives a separate session (``BEGIN IMMEDIATE`` on
    SQLite) that holds the write lock only for the insert and its commit.
    Safe from the gate's deadlock: the request still holds its database slot,
    and there are fewer slots than threads. The caller commits; an error
    propagates, so a read is never answered without its trace.
    """
    db.commit()  # end the read (objects stay loaded: expire_on_commit=False)
    state = db.info["app_state"]
    factory: sessionmaker[Session] = state.sessionmaker
    with factory() as writer:
        writer.info.update(app_state=state, settings=db.info.get("settings"))
        yield writer


def release_early(session: Session) -> None:
    """Close a request's session and give its turn back now (long-lived streams)."""
    session.close()
    slot = session.info.get(SLOT)
    if isinstance(slot, _Slot):
        slot.release()


def reading_session(state: Any) -> Session:
    """A session for work outside a request that only reads (e.g. an event stream's polls)."""
    engine: Engine = state.engine
    return _open(state, engine, sqlite=engine.dialect.name == "sqlite", writer=False)


@event.listens_for(Session, "before_flush")
def _refuse_writes_in_reads(session: Session, _context: Any, _instances: Any) -> None:
    """A GET that writes must say so (:func:`writes`): fail loudly in tests, not under load."""
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise RuntimeError(
            "a reading request (GET) is writing to the database: "
            "decorate its endpoint with @portal.db.writes"
        )


def _with_info(session: Session, request: Request) -> Session:
    # Services reach app-wide things (settings, mailer) through the session.
    session.info["app_state"] = request.app.state
    session.info["settings"] = request.app.state.settings
    return session
