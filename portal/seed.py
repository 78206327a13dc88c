"""Bulk generation of realistic dossiers for benchmarks (``monespace-portal seed``).

Why plain tuples below SQLAlchemy, with explicit ids: the ORM unit of work
costs tens of microseconds per object, and even Core's executemany spent
half the seed's time in per-row bind processing (the UTC time type, JSON).
The rows are built here already in their stored form and written by the
driver itself — ``executemany`` on SQLite, ``COPY … FROM STDIN`` on
PostgreSQL — in one transaction; for large seeds the indexes are dropped
and built once at the end (:func:`_without_indexes`). Measured on the
shared 2-core machine: 100k dossiers 20 s → 11 s on SQLite, 42 s → 14 s on
PostgreSQL; a million in about 1.5 min (SQLite) and 3 min (PostgreSQL).
Ids are assigned here (after the current maximum) so the events can
reference them without a round trip.

Data: each dossier takes a procedure from the catalogue and that
procedure's ``example_data`` (the sandbox's valid example), an applicant
that fits the audience (a register person for citizens, an organisation of
the right kind otherwise), a status drawn from a plausible distribution, and
times spread over the last two years — the dossiers still open mostly from
the last months, as in a real queue. Past draft each gets its legal decision
date (submission + ``legal_days``); most dossiers in review or decided are
assigned to an agent of the procedure's service, and those awaiting a
complement have the applicant's due date, so the agents' queue, its
benchmark and the agent TUI have realistic data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.orm import Session

from portal import search_index
from portal.domain import states
from portal.models import (
    Agent,
    Dossier,
    DossierEvent,
    Organisation,
    Person,
    Procedure,
    ProcedureVersion,
    utcnow,
)
from portal.sandbox.cards import featured_nrns
from portal.search_key import search_key

CHUNK = 5_000
OPEN = (states.SUBMITTED, states.IN_REVIEW, states.AWAITING_COMPLEMENT)
HANDLED = (
    states.IN_REVIEW,
    states.AWAITING_COMPLEMENT,
    states.ACCEPTED,
    states.REFUSED,
    states.CLOSED,
)
STATUS_WEIGHTS = {
    states.DRAFT: 20,
    states.SUBMITTED: 25,
    states.IN_REVIEW: 20,
    states.AWAITING_COMPLEMENT: 5,
    states.ACCEPTED: 15,
    states.REFUSED: 5,
    states.CLOSED: 7,
    states.WITHDRAWN: 3,
}


@dataclass(frozen=True)
class _Applicant:
    kind: str
    id: str
    name: str
    acting_as: str
    creator: str


@dataclass(frozen=True)
class _Procedure:
    code: str
    version: int
    title: str
    audience: tuple[str, ...]
    example: dict[str, Any]
    legal_days: int
    agents: tuple[str, ...]


def _catalogue(db: Session) -> list[_Procedure]:
    rows = db.scalars(select(ProcedureVersion)).all()
    services = dict(db.execute(select(Procedure.code, Procedure.service_code)).all())
    agents: dict[str, list[str]] = {}
    for agent in db.scalars(select(Agent).order_by(Agent.person_nrn)):
        agents.setdefault(agent.service_code, []).append(agent.person_nrn)
    result = []
    for row in rows:
        d = row.definition
        example = d.get("example_data") or {}
        if isinstance(example, list):
            example = example[0] if example else {}
        result.append(
            _Procedure(
                code=row.procedure_code,
                version=row.version,
                title=str((d.get("title") or {}).get("fr") or row.procedure_code)[:300],
                audience=tuple(d.get("audience") or ["citizen"]),
                example=example,
                legal_days=int(d.get("legal_days") or 30),
                agents=tuple(agents.get(services.get(row.procedure_code, ""), [])),
            )
        )
    return result


def _applicants(db: Session) -> dict[str, list[_Applicant]]:
    # Persons who exist to show special cards (minors, foreigners…) get no
    # seeded dossiers: the seed stays the same whatever cards are featured.
    featured = featured_nrns()
    everyone = db.scalars(select(Person).order_by(Person.nrn)).all()
    persons = [p for p in everyone if p.nrn not in featured] or list(everyone)
    by_audience: dict[str, list[_Applicant]] = {"citizen": [], "enterprise": [], "non_profit": []}
    for p in persons:
        by_audience["citizen"].append(_Applicant("person", p.nrn, p.name, "me", p.nrn))
    for org in db.scalars(select(Organisation).order_by(Organisation.bce)).all():
        creator = org.legal_reps[0].person_nrn if org.legal_reps else persons[0].nrn
        applicant = _Applicant("organisation", org.bce, org.name, org.bce, creator)
        by_audience["non_profit" if org.kind == "non_profit" else "enterprise"].append(applicant)
    return by_audience


#: The columns the seed writes, in the order of the generated tuples.
DOSSIER_COLUMNS = (
    "id",
    "procedure_code",
    "procedure_version",
    "title",
    "status",
    "applicant_kind",
    "applicant_id",
    "applicant_name",
    "search_key",
    "created_by",
    "acting_as",
    "data",
    "prefilled",
    "version",
    "created_at",
    "updated_at",
    "submitted_at",
    "decided_at",
    "decision_due_at",
    "assigned_to",
    "due_at",
)
EVENT_COLUMNS = ("dossier_id", "type", "at", "actor_nrn", "acting_as", "old", "new", "detail")
#: Below this many new rows (or when the table already holds more than the
#: new rows), indexes are kept and updated row by row; above, they are
#: dropped and built once at the end (see :func:`_without_indexes`).
REINDEX_FROM = 50_000

_Row = tuple[Any, ...]
_Time = Callable[[dt.datetime | None], Any]


def _rows(
    rng: random.Random,
    start_id: int,
    count: int,
    catalogue: list[_Procedure],
    applicants: dict[str, list[_Applicant]],
    now: dt.datetime,
    when: _Time,
) -> Iterator[tuple[_Row, list[_Row]]]:
    """Dossier and event tuples (DOSSIER_COLUMNS, EVENT_COLUMNS), times through ``when``.

    ``now`` is naive UTC (the stored form); ``when`` turns a time into what
    the driver takes (text on SQLite, the datetime itself for COPY).
    """
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    pools = {
        p.code: [a for aud in p.audience for a in applicants.get(aud, [])] or applicants["citizen"]
        for p in catalogue
    }
    examples = {p.code: json.dumps(p.example) for p in catalogue}
    for offset in range(count):
        procedure = rng.choice(catalogue)
        applicant = rng.choice(pools[procedure.code])
        status = rng.choices(statuses, weights)[0]
        span = 120 if status in OPEN else 2 * 365
        created = now - dt.timedelta(seconds=rng.randrange(span * 86400))
        updated = created + dt.timedelta(seconds=rng.randrange(30 * 86400))
        updated = min(updated, now)
        submitted = None if status == states.DRAFT else created + (updated - created) / 3
        decided = updated if status in (states.ACCEPTED, states.REFUSED, states.CLOSED) else None
        due = submitted + dt.timedelta(days=procedure.legal_days) if submitted else None
        assigned = None
        if status in HANDLED and procedure.agents and rng.random() < 0.8:
            assigned = rng.choice(procedure.agents)
        complement_due = None
        if status == states.AWAITING_COMPLEMENT:
            complement_due = updated + dt.timedelta(days=rng.randrange(10, 31))
        pk = start_id + offset
        dossier = (
            pk,
            procedure.code,
            procedure.version,
            procedure.title,
            status,
            applicant.kind,
            applicant.id,
            applicant.name,
            search_key(applicant.name, applicant.id, procedure.title),
            applicant.creator,
            applicant.acting_as,
            examples[procedure.code],
            "{}",
            1 if status == states.DRAFT else 2,
            when(created),
            when(updated),
            when(submitted),
            when(decided),
            when(due),
            assigned,
            when(complement_due),
        )
        who = (applicant.creator, applicant.acting_as)
        events: list[_Row] = [(pk, "created", when(created), *who, None, "draft", None)]
        if submitted is not None:
            events.append((pk, "submitted", when(submitted), *who, "draft", "submitted", None))
        yield dossier, events


def seed_dossiers(engine: Engine, count: int, *, seed: int = 42) -> int:
    """Insert ``count`` dossiers (and their events) in one transaction; returns count.

    The same ``seed`` on the same sandbox gives the same dossiers, on either
    backend (only the times move with the day the seed runs).
    """
    rng = random.Random(seed)
    with Session(engine) as db:
        catalogue = _catalogue(db)
        applicants = _applicants(db)
        if not catalogue or not applicants["citizen"]:
            raise RuntimeError("the catalogue or the register is empty: run init --sandbox first")
        existing = db.scalar(select(func.count()).select_from(Dossier)) or 0
        start = (db.scalar(select(func.max(Dossier.id))) or 0) + 1
        postgres = db.get_bind().dialect.name == "postgresql"
        writer = _PostgresWriter(db) if postgres else _SqliteWriter(db)
        rows = _rows(rng, start, count, catalogue, applicants, _naive(utcnow()), writer.when)
        rebuild = count >= REINDEX_FROM and count >= existing
        with (
            _without_indexes(db, rebuild),
            search_index.bulk_load(db.connection(), start, rebuild),
        ):
            writer.write(rows)
        if postgres:
            # Explicit ids leave the serial sequence behind: move it past them,
            # or the next dossier created through the API collides.
            db.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('dossiers', 'id'),"
                    " (SELECT max(id) FROM dossiers))"
                )
            )
        db.commit()
    if postgres and rebuild:
        _vacuum(engine)
    return count


def _vacuum(engine: Engine) -> None:
    """VACUUM (ANALYZE) the bulk-loaded tables (PostgreSQL), as autovacuum would later.

    Why now: freshly copied pages are not yet marked all-visible, so the
    queue's counts cannot be answered from the index alone (at 1M dossiers:
    a 250 ms table scan instead of a 30 ms index-only scan, measured), and
    the first readers would write hint bits all over the table. ANALYZE
    gives the planner the new sizes. VACUUM cannot run in a transaction.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) dossiers, dossier_events"))


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _tables() -> tuple[Table, Table]:
    return cast(Table, Dossier.__table__), cast(Table, DossierEvent.__table__)


@contextlib.contextmanager
def _without_indexes(db: Session, rebuild: bool) -> Iterator[None]:
    """Drop the secondary indexes of dossiers and events, and build them again after.

    Why: the dossiers carry seven indexes; inserting a million rows in random
    key order updates each of them a row at a time, touching pages all over
    the file, while building an index once sorts its keys in one pass. Same
    transaction: a failed seed leaves the indexes (and the rows) as they were.
    The queue's trigram search index is not a model index: it is set aside
    and rebuilt by :func:`portal.search_index.bulk_load`.
    """
    indexes = [index for table in _tables() for index in table.indexes] if rebuild else []
    connection = db.connection()
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


class _SqliteWriter:
    """executemany of plain tuples on the sqlite3 connection itself.

    Why below SQLAlchemy: its per-row bind processing (the UTC time type,
    JSON) was half the seed's time; the tuples here are already in the
    stored form (times as SQLAlchemy's SQLite text, JSON as text).
    """

    def __init__(self, db: Session) -> None:
        self._db = db

    @staticmethod
    def when(moment: dt.datetime | None) -> str | None:
        return None if moment is None else moment.isoformat(" ", "microseconds")

    def write(self, rows: Iterator[tuple[_Row, list[_Row]]]) -> None:
        raw = self._db.connection().connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        # A bigger page cache for this connection while it builds the indexes.
        cursor.execute("PRAGMA cache_size=-262144")
        try:
            for dossiers, events in _chunks(rows):
                cursor.executemany(_insert("dossiers", DOSSIER_COLUMNS, "?"), dossiers)
                cursor.executemany(_insert("dossier_events", EVENT_COLUMNS, "?"), events)
        finally:
            cursor.execute("PRAGMA cache_size=-2000")
            cursor.close()


class _PostgresWriter:
    """COPY … FROM STDIN through psycopg 3: the fastest way into PostgreSQL."""

    def __init__(self, db: Session) -> None:
        self._db = db

    @staticmethod
    def when(moment: dt.datetime | None) -> dt.datetime | None:
        return moment

    def write(self, rows: Iterator[tuple[_Row, list[_Row]]]) -> None:
        raw = self._db.connection().connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor:  # type: ignore[attr-defined]
            for dossiers, events in _chunks(rows):
                _copy(cursor, "dossiers", DOSSIER_COLUMNS, dossiers)
                _copy(cursor, "dossier_events", EVENT_COLUMNS, events)


def _copy(cursor: Any, table: str, columns: tuple[str, ...], rows: list[_Row]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert(table: str, columns: tuple[str, ...], mark: str) -> str:
    marks = ", ".join(mark for _ in columns)
    # Table and column names are this module's constants, never input.
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608


def _chunks(
    rows: Iterator[tuple[_Row, list[_Row]]],
) -> Iterator[tuple[list[_Row], list[_Row]]]:
    """CHUNK dossiers (and their events) at a time: bounded memory at any size."""
    dossiers: list[_Row] = []
    events: list[_Row] = []
    for dossier, dossier_events in rows:
        dossiers.append(dossier)
        events.extend(dossier_events)
        if len(dossiers) >= CHUNK:
            yield dossiers, events
            dossiers, events = [], []
    if dossiers:
        yield dossiers, events
