"""Which dossier events an agent's live stream carries (``GET /agent/events``).

The stream shows what the queue shows, as it changes: events of the
dossiers of the caller's services' procedures from their submission on
(the ``submitted`` event first; never what happened while a dossier was a
draft, as for webhooks), agent-only ones (``assigned``, ``note`` — without
its text, as in the history) included, so a queue on screen can update
itself. The framing, resume and login checks
are the applicant stream's (portal.api.events); only the rows differ.

Live events reach the stream through the process's hub (portal.streams.hub),
which asks :func:`carries` for each event with the caller's services as
checked again on that delivery: a stream lives for hours, and an agent taken
out of a service must stop seeing its dossiers then, not at the next login.
:func:`visible_events` reads what a resuming client (``Last-Event-ID``) missed.

The query walks the events table by primary key from the resume point and
joins each event to its dossier by primary key; the procedure and status
tests are filters on that one dossier row. A resume starts near the newest
id, so it reads only the few events written since (EXPLAIN at
100,000 dossiers in docs/api.md's stream section of the back office).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, load_only

from portal.backoffice.access import AgentCaller, service_of, visible_clauses
from portal.models import Agent, Dossier, DossierEvent, Procedure


def procedures_of(db: Session, nrn: str) -> list[str]:
    """The codes of the procedures of every service the person works in (sorted)."""
    query = (
        select(Procedure.code)
        .join(Agent, Agent.service_code == Procedure.service_code)
        .where(Agent.person_nrn == nrn)
    )
    return sorted(set(db.scalars(query)))


def events_query(
    procedures: Sequence[str], after: int, limit: int, *, sqlite: bool = False
) -> Select[DossierEvent, Dossier]:
    """(event, dossier) rows after ``after`` of submitted dossiers of ``procedures``.

    On SQLite the procedure test is written ``procedure_code || ''`` so the
    planner cannot drive the join from the procedure index (every dossier
    of the service, then their events, then a sort: 95 ms a poll at 100,000
    dossiers instead of 3): the events' primary key must lead. PostgreSQL
    plans by cost from its statistics and picks the right order itself
    (and would lose its index for a resume far back with the trick).
    """
    procedure = Dossier.procedure_code.op("||")("") if sqlite else Dossier.procedure_code
    return (
        select(DossierEvent, Dossier)
        .join(Dossier, Dossier.id == DossierEvent.dossier_id)
        # An Event names its dossier and its actor: the actors in the same query,
        # and never the dossiers' form data.
        .options(load_only(Dossier.id, Dossier.created_at), joinedload(DossierEvent.actor))
        .where(
            DossierEvent.id > after,
            *visible_clauses(procedures, procedure),
            # From the submission on, as the webhooks: what the applicant did
            # while it was a draft is theirs.
            DossierEvent.at >= Dossier.submitted_at,
        )
        .order_by(DossierEvent.id)
        .limit(limit)
    )


def carries(caller: AgentCaller, event: DossierEvent, dossier: Dossier) -> bool:
    """Whether the agent's stream carries ``event``: the same rule as :func:`events_query`.

    For the hub's fan-out (portal.streams.hub), which holds the event and
    its dossier in memory: a dossier the caller may see
    (:func:`portal.backoffice.access.service_of`), and only what happened from
    its submission on.
    """
    submitted = dossier.submitted_at
    if service_of(caller, dossier) is None or submitted is None:
        return False
    return bool(event.at >= submitted)


def visible_events(db: Session, nrn: str, after: int, limit: int) -> Sequence[Any] | None:
    """The agent's next events in id order; None when the person is no agent any more."""
    procedures = procedures_of(db, nrn)
    if not procedures:
        has_service = db.scalar(select(Agent.service_code).where(Agent.person_nrn == nrn).limit(1))
        return [] if has_service is not None else None
    sqlite = db.get_bind().dialect.name == "sqlite"
    return db.execute(events_query(procedures, after, limit, sqlite=sqlite)).all()
