"""The agent's actions on one dossier, each one conditional update and its events.

Why plan, then apply: bulk runs need a dry run that computes *exactly* what
the real run does, and a real run that never overwrites a dossier changed
meanwhile. So every action is split in two:

- ``plan_*`` looks at the dossier and the caller and returns a
  :class:`Change` (the successive statuses, the assignee change, the
  decision) or raises the :class:`~portal.problems.Problem` the action would
  answer (409 not allowed now, 403 supervisor only, 422 bad input). It
  writes nothing; a dry run stops here.
- :func:`apply` writes the change with ``UPDATE dossiers SET … WHERE id = ?
  AND version = ?``: no row updated means someone changed the dossier since
  it was read (412 ``stale-version``; in bulk, "skipped: changed"). Then it
  records the events (``assigned`` old → new nrn, ``status_changed`` per
  step) and, for a decision, files the sealed decision document.

Single actions and bulk runs share both halves, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.backoffice.access import AgentCaller, require_supervisor, service_agents
from portal.domain import states
from portal.domain.dossiers import AGENT_FILE_KIND, record_event
from portal.models import (
    Attachment,
    Document,
    Dossier,
    DossierEvent,
    DossierNote,
    Message,
    utcnow,
)
from portal.problems import FieldError, Problem, conflict, validation_failed
from portal.services import messages
from portal.services.documents import file_decision

BRUSSELS = ZoneInfo("Europe/Brussels")
OUTCOMES = {"accept": states.ACCEPTED, "refuse": states.REFUSED}
MAX_MOTIVATION = 10_000
MAX_APPEAL = 2_000
MAX_NOTE = 10_000
AGENT_ACTING_AS = "me"


@dataclass(frozen=True)
class Decision:
    """An accept/refuse decision with its motivation and appeal information."""

    outcome: str  # "accept" | "refuse"
    motivation: str
    appeal: str | None = None


@dataclass(frozen=True)
class Change:
    """What an action does to a dossier; empty when it changes nothing."""

    old_status: str
    statuses: tuple[str, ...] = ()
    assignee: tuple[str | None, str | None] | None = None
    decision: Decision | None = None

    @property
    def new_status(self) -> str:
        """The status after the change."""
        return self.statuses[-1] if self.statuses else self.old_status

    @property
    def empty(self) -> bool:
        """Whether applying it would change nothing (no write, no event)."""
        return not self.statuses and self.assignee is None and self.decision is None


def _path(old: str, *targets: str) -> tuple[str, ...]:
    """The statuses to go through, each step allowed by the life cycle (else 409)."""
    current = old
    for target in targets:
        if not states.allowed(current, target):
            raise conflict(f"a dossier in status {current!r} cannot become {target!r}")
        current = target
    return targets


def _to_review(status: str) -> tuple[str, ...]:
    """Taking a dossier in hand: a ``submitted`` one goes to ``in_review``."""
    return (states.IN_REVIEW,) if status == states.SUBMITTED else ()


def _require_open(dossier: Dossier, what: str) -> None:
    if dossier.status not in (states.SUBMITTED, states.IN_REVIEW, states.AWAITING_COMPLEMENT):
        raise conflict(f"dossier {dossier.public_id} is {dossier.status}: it cannot be {what}")


def plan_claim(caller: AgentCaller, dossier: Dossier) -> Change:
    """Assign to the caller (409 when it is someone else's or no longer open)."""
    _require_open(dossier, "claimed")
    me = caller.person.nrn
    if dossier.assigned_to not in (None, me):
        raise conflict(
            f"dossier {dossier.public_id} is assigned to {dossier.assigned_to}; "
            "a supervisor can reassign it"
        )
    assignee = None if dossier.assigned_to == me else (dossier.assigned_to, me)
    return Change(dossier.status, _to_review(dossier.status), assignee)


def plan_release(caller: AgentCaller, dossier: Dossier, service: str) -> Change:
    """Unassign (the assignee or a supervisor; 403 for another agent)."""
    if dossier.assigned_to is None:
        return Change(dossier.status)
    if dossier.assigned_to != caller.person.nrn:
        require_supervisor(caller, service, "release a dossier assigned to someone else")
    return Change(dossier.status, assignee=(dossier.assigned_to, None))


def plan_assign(
    db: Session, caller: AgentCaller, dossier: Dossier, service: str, nrn: str, pointer: str
) -> Change:
    """Assign to an agent of the service (supervisor only)."""
    require_supervisor(caller, service, "assign dossiers")
    if nrn not in service_agents(db, service):
        raise validation_failed(
            "that person cannot handle this dossier",
            [FieldError(pointer, f"{nrn} is not an agent of {service}")],
        )
    _require_open(dossier, "assigned")
    assignee = None if dossier.assigned_to == nrn else (dossier.assigned_to, nrn)
    return Change(dossier.status, _to_review(dossier.status), assignee)


def check_decision(decision: Decision, pointer: str = "") -> Decision:
    """422 for an unknown outcome, an empty or too long motivation or appeal text."""
    errors = []
    if decision.outcome not in OUTCOMES:
        errors.append(FieldError(f"{pointer}/outcome", 'must be "accept" or "refuse"'))
    motivation = decision.motivation.strip()
    if not motivation or len(motivation) > MAX_MOTIVATION:
        errors.append(
            FieldError(f"{pointer}/motivation", f"between 1 and {MAX_MOTIVATION} characters")
        )
    appeal = decision.appeal.strip() if decision.appeal is not None else None
    if appeal is not None and (not appeal or len(appeal) > MAX_APPEAL):
        errors.append(FieldError(f"{pointer}/appeal", f"between 1 and {MAX_APPEAL} characters"))
    if errors:
        raise validation_failed("the decision is not complete", errors)
    return Decision(decision.outcome, motivation, appeal)


def plan_decide(dossier: Dossier, decision: Decision) -> Change:
    """Accept or refuse a dossier in review (409 from any other status)."""
    if dossier.status != states.IN_REVIEW:
        raise conflict(
            f"dossier {dossier.public_id} is {dossier.status}: only a dossier in review "
            "can be decided"
        )
    return Change(dossier.status, _path(dossier.status, OUTCOMES[decision.outcome]), None, decision)


def stale(dossier: Dossier, expected: int) -> Problem:
    """412: the dossier is not at the version the caller (or the bulk run) read."""
    return Problem(
        "stale-version",
        f"dossier {dossier.public_id} changed since it was read (version {dossier.version}, "
        f"expected {expected}); read it again",
        headers={"ETag": f'"{dossier.version}"'},
    )


def _conditional_update(
    db: Session, dossier: Dossier, expected: int, values: dict[str, object]
) -> None:
    """``UPDATE dossiers SET … WHERE id = ? AND version = ?``; 412 when no row matched."""
    result = db.execute(
        update(Dossier)
        .where(Dossier.id == dossier.id, Dossier.version == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.refresh(dossier)
    if getattr(result, "rowcount", 0) != 1:
        raise stale(dossier, expected)


def apply(
    db: Session, caller: AgentCaller, dossier: Dossier, change: Change, expected: int
) -> Dossier:
    """Write ``change`` if the dossier is still at version ``expected`` (no commit)."""
    if change.empty:
        if dossier.version != expected:
            raise stale(dossier, expected)
        return dossier
    now = utcnow()
    values: dict[str, object] = {"version": Dossier.version + 1, "updated_at": now}
    if change.statuses:
        values["status"] = change.new_status
    if change.assignee is not None:
        values["assigned_to"] = change.assignee[1]
    if change.decision is not None:
        values["decided_at"] = now
    _conditional_update(db, dossier, expected, values)
    me = caller.person.nrn
    if change.assignee is not None:
        old, new = change.assignee
        record_event(
            db, dossier, "assigned", actor_nrn=me, acting_as=AGENT_ACTING_AS, old=old, new=new
        )
    previous = change.old_status
    for status in change.statuses:
        record_event(
            db,
            dossier,
            "status_changed",
            actor_nrn=me,
            acting_as=AGENT_ACTING_AS,
            old=previous,
            new=status,
        )
        previous = status
    if change.decision is not None:
        file_decision(
            db,
            dossier,
            accepted=change.decision.outcome == "accept",
            text=change.decision.motivation,
            agent=caller.person,
            appeal=change.decision.appeal,
        )
    return dossier


# --- complement requests -----------------------------------------------------


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of ``day`` in Brussels, as UTC (a due date is a local day)."""
    local = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=BRUSSELS)
    return local.astimezone(dt.UTC)


def require_complement_possible(dossier: Dossier) -> None:
    """409 unless a complement can be asked now (also for the files that go with it)."""
    if dossier.status not in (states.SUBMITTED, states.IN_REVIEW):
        raise conflict(
            f"dossier {dossier.public_id} is {dossier.status}: a complement can only be "
            "asked of a dossier submitted or in review"
        )


def _not_agent_files(
    db: Session, caller: AgentCaller, dossier: Dossier, ids: Sequence[str]
) -> list[FieldError]:
    """Errors for the ids that are not the caller's unsent uploads for this dossier.

    A complement request carries only files the agent uploaded for it
    (``POST /agent/dossiers/{id}/attachments``): never the applicant's
    files, another dossier's, or one already sent with another message.
    """
    if not ids:
        return []
    usable = set(
        db.scalars(
            select(Attachment.id).where(
                Attachment.id.in_(list(ids)),
                Attachment.dossier_id == dossier.id,
                Attachment.kind == AGENT_FILE_KIND,
                Attachment.uploaded_by == caller.person.nrn,
                Attachment.message_id.is_(None),
            )
        )
    )
    return [
        FieldError(f"/attachment_ids/{i}", "not a file you uploaded for this dossier")
        for i, attachment_id in enumerate(ids)
        if attachment_id not in usable
    ]


def request_complement(
    db: Session,
    caller: AgentCaller,
    dossier: Dossier,
    *,
    message: str,
    due_date: dt.date,
    attachment_ids: Sequence[str],
    expected: int,
) -> Message:
    """Ask the applicant for a complement: a message with a due date (no commit).

    A ``submitted`` dossier first goes to ``in_review`` (its own event), then
    the message moves it to ``awaiting_complement`` (portal.services.messages).
    ``attachment_ids`` are the caller's uploads for this dossier; the
    message takes them, and the applicant sees them in the thread.
    """
    errors = []
    if not message.strip() or len(message.strip()) > messages.MAX_BODY:
        errors.append(FieldError("/message", f"between 1 and {messages.MAX_BODY} characters"))
    today = utcnow().astimezone(BRUSSELS).date()
    if due_date <= today:
        errors.append(FieldError("/due_date", f"must be after today ({today.isoformat()})"))
    errors += _not_agent_files(db, caller, dossier, attachment_ids)
    if errors:
        raise validation_failed("the complement request is not complete", errors)
    require_complement_possible(dossier)
    steps = _to_review(dossier.status)
    if steps:
        apply(db, caller, dossier, Change(dossier.status, steps), expected)
    else:
        # The same conditional update as every action: a concurrent change wins.
        _conditional_update(db, dossier, expected, {"updated_at": utcnow()})
    return messages.post_message(
        db,
        dossier,
        caller.person,
        role=messages.AGENT,
        body=message,
        acting_as=AGENT_ACTING_AS,
        attachment_ids=attachment_ids,
        complement_request=True,
        due_at=end_of_day(due_date),
    )


# --- notes and history -------------------------------------------------------


def add_note(db: Session, caller: AgentCaller, dossier: Dossier, body: str) -> DossierNote:
    """A private note and its ``note`` event (without the body; no version change)."""
    text = body.strip()
    if not text or len(text) > MAX_NOTE:
        raise validation_failed(
            "the note is empty or too long",
            [FieldError("/body", f"between 1 and {MAX_NOTE} characters")],
        )
    note = DossierNote(
        dossier_id=dossier.id, author_nrn=caller.person.nrn, body=text, created_at=utcnow()
    )
    db.add(note)
    db.flush()
    record_event(
        db,
        dossier,
        "note",
        actor_nrn=caller.person.nrn,
        acting_as=AGENT_ACTING_AS,
        new=str(note.id),
    )
    return note


def notes_of(db: Session, dossier: Dossier) -> list[DossierNote]:
    """The dossier's notes, oldest first."""
    query = select(DossierNote).where(DossierNote.dossier_id == dossier.id)
    return list(db.scalars(query.order_by(DossierNote.id)))


def history(db: Session, dossier: Dossier) -> list[DossierEvent]:
    """Every event, agent-only ones included, in time order."""
    query = select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
    return list(db.scalars(query.order_by(DossierEvent.id)))


def decision_document_id(db: Session, dossier: Dossier) -> str | None:
    """The id of the dossier's latest decision document, if any."""
    query = (
        select(Document.id)
        .where(Document.dossier_id == dossier.id, Document.kind == "decision")
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(1)
    )
    return db.scalar(query)
