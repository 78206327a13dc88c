"""Who is an agent of which service, and which dossiers an agent may see.

The one visibility rule of the back office: an agent sees a dossier when it
was **submitted at least once** (``submitted_at`` is set by the first
submission and never cleared) **and** its procedure belongs to one of the
agent's services. A draft is the applicant's alone, and so is a draft the
applicant withdrew without ever submitting it: its data, attachments and
history never reach an agent. A dossier withdrawn *after* submission stays
visible (the administration received it). :func:`service_of` is the rule on
one dossier; :func:`visible_clauses` the same rule as SQL, used by every
query that lists dossiers or their events (queue, counts, export, bulk,
the agents' event stream).

Why a 404 for everything outside: the back office must not reveal that a
dossier exists in another service (or that a draft exists at all), and a
person who is no agent must not learn that the back office is there. So
:func:`agent_of` answers None for a non-agent (the router turns it into
404 on every path) and :func:`get_dossier` answers 404 — never 403 — for a
dossier of another service or a draft. Only supervisor-only actions on a
*visible* dossier are a 403 (``require_supervisor``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal.models import Agent, Dossier, Person, Procedure, parse_dossier_id
from portal.problems import Problem, not_found

AGENT, SUPERVISOR = "agent", "supervisor"


@dataclass(frozen=True)
class AgentCaller:
    """A person working in one or more services, with the role held in each."""

    person: Person
    roles: dict[str, str]  # service code → "agent" | "supervisor"
    procedures: dict[str, str]  # procedure code → service code, for those services

    @property
    def services(self) -> frozenset[str]:
        """The codes of the caller's services."""
        return frozenset(self.roles)

    def is_supervisor(self, service: str) -> bool:
        """Whether the caller supervises ``service``."""
        return self.roles.get(service) == SUPERVISOR

    def procedures_of(self, service: str | None = None) -> list[str]:
        """The procedure codes the caller handles (of one service if given), sorted."""
        return sorted(p for p, s in self.procedures.items() if service in (None, s))


def agent_of(db: Session, person: Person) -> AgentCaller | None:
    """The person's back-office identity, or None when they are no agent."""
    roles = {
        row.service_code: row.role
        for row in db.scalars(select(Agent).where(Agent.person_nrn == person.nrn))
    }
    if not roles:
        return None
    procedures = dict(
        db.execute(
            select(Procedure.code, Procedure.service_code).where(
                Procedure.service_code.in_(sorted(roles))
            )
        ).all()
    )
    return AgentCaller(person=person, roles=roles, procedures=procedures)


def service_agents(db: Session, service: str) -> dict[str, str]:
    """``{nrn: role}`` of the agents of ``service``."""
    rows = db.execute(
        select(Agent.person_nrn, Agent.role).where(Agent.service_code == service)
    ).all()
    return dict(rows)


def submitted_once(dossier: Dossier) -> bool:
    """Whether the dossier was ever submitted (drafts and never-submitted withdrawals are not)."""
    return dossier.submitted_at is not None


def service_of(caller: AgentCaller, dossier: Dossier) -> str | None:
    """The caller's service that handles this dossier, or None when they may not see it."""
    if not submitted_once(dossier):
        return None
    return caller.procedures.get(dossier.procedure_code)


def visible_clauses(
    procedures: Sequence[str] | None = None, procedure: Any = None
) -> list[ColumnElement[bool]]:
    """The rule of :func:`service_of` as WHERE clauses on ``Dossier``.

    ``procedures``: the caller's procedure codes (None when the query binds
    them itself, as the queue's per-procedure branches do). ``procedure``:
    the column expression to test them on (the event stream disguises it
    for SQLite's planner).
    """
    clauses: list[ColumnElement[bool]] = [Dossier.submitted_at.is_not(None)]
    if procedures is not None:
        column = procedure if procedure is not None else Dossier.procedure_code
        clauses.append(column.in_(list(procedures)))
    return clauses


def get_dossier(db: Session, caller: AgentCaller, public_id: str) -> tuple[Dossier, str]:
    """The dossier and its service if the caller handles it; 404 otherwise."""
    parsed = parse_dossier_id(public_id)
    dossier = db.get(Dossier, parsed[1]) if parsed is not None else None
    service = service_of(caller, dossier) if dossier is not None else None
    if dossier is None or service is None or parsed is None:
        raise not_found(f"dossier {public_id!r}")
    if dossier.created_at.year != parsed[0]:
        raise not_found(f"dossier {public_id!r}")
    return dossier, service


def require_supervisor(caller: AgentCaller, service: str, what: str) -> None:
    """403 unless the caller supervises ``service`` (the dossier is visible to them)."""
    if not caller.is_supervisor(service):
        raise Problem("forbidden", f"only a supervisor of {service} may {what}")
