"""Bulk generation of realistic dossiers for benchmarks (``monespace-portal seed``).

Why Core bulk inserts with explicit ids: the ORM unit of work costs tens of
microseconds per object; executemany of plain rows in one transaction lets
SQLite write 100k dossiers (plus their events) in seconds. Ids are assigned
here (after the current maximum) so the events can reference them without a
round trip.

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

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine, Table, func, insert, select, text
from sqlalchemy.orm import Session

from portal import states
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
    persons = db.scalars(select(Person).order_by(Person.nrn)).all()
    by_audience: dict[str, list[_Applicant]] = {"citizen": [], "enterprise": [], "non_profit": []}
    for p in persons:
        by_audience["citizen"].append(_Applicant("person", p.nrn, p.name, "me", p.nrn))
    for org in db.scalars(select(Organisation).order_by(Organisation.bce)).all():
        creator = org.legal_reps[0].person_nrn if org.legal_reps else persons[0].nrn
        applicant = _Applicant("organisation", org.bce, org.name, org.bce, creator)
        by_audience["non_profit" if org.kind == "non_profit" else "enterprise"].append(applicant)
    return by_audience


def _rows(
    rng: random.Random,
    start_id: int,
    count: int,
    catalogue: list[_Procedure],
    applicants: dict[str, list[_Applicant]],
    now: dt.datetime,
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    for offset in range(count):
        procedure = rng.choice(catalogue)
        pool = [a for aud in procedure.audience for a in applicants.get(aud, [])]
        applicant = rng.choice(pool or applicants["citizen"])
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
        dossier = {
            "id": pk,
            "procedure_code": procedure.code,
            "procedure_version": procedure.version,
            "title": procedure.title,
            "status": status,
            "applicant_kind": applicant.kind,
            "applicant_id": applicant.id,
            "applicant_name": applicant.name,
            "created_by": applicant.creator,
            "acting_as": applicant.acting_as,
            "data": procedure.example,
            "prefilled": {},
            "version": 1 if status == states.DRAFT else 2,
            "created_at": created,
            "updated_at": updated,
            "submitted_at": submitted,
            "decided_at": decided,
            "decision_due_at": due,
            "assigned_to": assigned,
            "due_at": complement_due,
        }
        event = {"actor_nrn": applicant.creator, "acting_as": applicant.acting_as}
        events = [{**event, "dossier_id": pk, "type": "created", "at": created, "new": "draft"}]
        if submitted is not None:
            events.append(
                {
                    **event,
                    "dossier_id": pk,
                    "type": "submitted",
                    "at": submitted,
                    "old": "draft",
                    "new": "submitted",
                }
            )
        yield dossier, events


def seed_dossiers(engine: Engine, count: int, *, seed: int = 42) -> int:
    """Insert ``count`` dossiers (and their events) in one transaction; returns count."""
    rng = random.Random(seed)
    with Session(engine) as db:
        catalogue = _catalogue(db)
        applicants = _applicants(db)
        if not catalogue or not applicants["citizen"]:
            raise RuntimeError("the catalogue or the register is empty: run init --sandbox first")
        start = (db.scalar(select(func.max(Dossier.id))) or 0) + 1
        rows = _rows(rng, start, count, catalogue, applicants, utcnow())
        dossiers: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for dossier, dossier_events in rows:
            dossiers.append(dossier)
            events.extend(dossier_events)
            if len(dossiers) >= CHUNK:
                _flush(db, dossiers, events)
        _flush(db, dossiers, events)
        if db.get_bind().dialect.name == "postgresql":
            # Explicit ids leave the serial sequence behind: move it past them,
            # or the next dossier created through the API collides.
            db.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('dossiers', 'id'),"
                    " (SELECT max(id) FROM dossiers))"
                )
            )
        db.commit()
    return count


def _flush(db: Session, dossiers: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    # Core table inserts: one executemany per chunk (the ORM's bulk path would
    # split rows into single statements whenever their NULL columns differ).
    connection = db.connection()
    if dossiers:
        connection.execute(insert(cast(Table, Dossier.__table__)), dossiers)
    if events:
        for e in events:
            e.setdefault("old", None)
            e.setdefault("new", None)
            e.setdefault("detail", None)
        connection.execute(insert(cast(Table, DossierEvent.__table__)), events)
    dossiers.clear()
    events.clear()
