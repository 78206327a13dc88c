"""The agent's view of one dossier (``AgentDossier``), and the access log it writes.

Why opening a dossier is logged: an agent reading a dossier reads the
applicant's personal data; the applicant sees every such read in "mes
données" (``GET /mydata/access-log``) with who, which service and why.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.backoffice import actions
from portal.backoffice.access import AgentCaller
from portal.backoffice.queue import is_overdue
from portal.domain.accesslog import record_access
from portal.domain.dossiers import attachments_of
from portal.domain.serialize import actor_json, dossier_json, rfc3339
from portal.models import Dossier, DossierNote, Person, utcnow

MAX_PURPOSE = 300


def default_purpose(dossier: Dossier, service: str) -> str:
    """ "Traitement du dossier <id> par <service>" (docs/api.md)."""
    return f"Traitement du dossier {dossier.public_id} par {service}"


def log_opening(
    db: Session, caller: AgentCaller, dossier: Dossier, service: str, purpose: str | None
) -> None:
    """One access-log entry for the applicant: this agent read this dossier (no commit)."""
    record_access(
        db,
        subject_kind=dossier.applicant_kind,
        subject_id=dossier.applicant_id,
        accessor_nrn=caller.person.nrn,
        accessor_organisation=None,
        data="dossier",
        purpose=(purpose or "").strip() or default_purpose(dossier, service),
        dossier_id=dossier.id,
    )


def note_json(note: DossierNote) -> dict[str, Any]:
    """``Note`` of docs/api.md."""
    return {
        "id": str(note.id),
        "author": actor_json(note.author),
        "body": note.body,
        "created_at": rfc3339(note.created_at),
    }


def agent_dossier_json(db: Session, dossier: Dossier, service: str) -> dict[str, Any]:
    """``AgentDossier``: the Dossier plus service, assignee, due date, notes, decision."""
    creator = db.get(Person, dossier.created_by)
    assert creator is not None, "created_by is a foreign key"
    body = dossier_json(dossier, creator=creator, attachments=attachments_of(db, dossier))
    assignee = db.get(Person, dossier.assigned_to) if dossier.assigned_to else None
    body["service"] = service
    body["assigned_to"] = actor_json(assignee) if assignee is not None else None
    body["decision_due_at"] = rfc3339(dossier.decision_due_at)
    body["overdue"] = is_overdue(dossier, utcnow())
    body["notes"] = [note_json(n) for n in actions.notes_of(db, dossier)]
    document_id = actions.decision_document_id(db, dossier)
    if document_id is not None:
        body["decision_document_id"] = document_id
    return body
