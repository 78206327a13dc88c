"""Notifications: an inbox entry (and an e-mail) for every change that matters.

Why one hook on the event writer instead of calls sprinkled in each
endpoint: the rule "every status change and every message notifies" must
hold for code written by others too (submit and withdraw live in the dossier
core, decisions in the agent back office). Every such change goes through
`portal.domain.dossiers.record_event`, which calls `on_dossier_event`; it turns
each event of a notifying type into inbox rows in the same transaction and
queues the e-mails to leave after the commit (mailer.py). A rolled-back
change notifies nobody.

Who is notified: the applicant side (the person applicant, or the staff
member who created an organisation's dossier), and for applicant messages
the agent the dossier is assigned to. Nobody is notified of their own
message.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.domain.serialize import rfc3339
from portal.models import (
    Dossier,
    DossierEvent,
    Notification,
    Person,
    dossier_public_id,
    utcnow,
)
from portal.services.language import document_language
from portal.services.mailer import send_after_commit
from portal.services.periphery import context_of

NOTIFYING_TYPES = frozenset({"submitted", "status_changed", "message", "document", "payment"})

_STATUS_LABELS = {
    "fr": {
        "draft": "brouillon",
        "submitted": "déposé",
        "in_review": "en cours de traitement",
        "awaiting_complement": "complément demandé",
        "accepted": "décision favorable",
        "refused": "décision défavorable",
        "closed": "clôturé",
        "withdrawn": "retiré",
    },
    "de": {
        "draft": "Entwurf",
        "submitted": "eingereicht",
        "in_review": "in Bearbeitung",
        "awaiting_complement": "Ergänzung angefordert",
        "accepted": "positiver Bescheid",
        "refused": "negativer Bescheid",
        "closed": "abgeschlossen",
        "withdrawn": "zurückgezogen",
    },
}
#: Payment statuses (portal.services.payments) as the recipient reads them.
_PAYMENT_LABELS = {
    "fr": {"pending": "en attente", "paid": "payé", "expired": "expiré"},
    "de": {"pending": "ausstehend", "paid": "bezahlt", "expired": "abgelaufen"},
}
_TEMPLATES = {
    "fr": {
        "status": "Dossier {id} : {status}",
        "message": "Nouveau message dans le dossier {id}",
        "document": "Nouveau document dans votre coffre-fort ({id})",
        "payment": "Paiement du dossier {id} : {status}",
        "footer": "Consultez Mon Espace pour le détail : monespace dossier show {id}",
    },
    "de": {
        "status": "Akte {id}: {status}",
        "message": "Neue Nachricht in der Akte {id}",
        "document": "Neues Dokument in Ihrem Tresor ({id})",
        "payment": "Zahlung der Akte {id}: {status}",
        "footer": "Einzelheiten in Mon Espace: monespace dossier show {id}",
    },
}


def title_for(event: DossierEvent, public_id: str, language: str) -> str:
    """The inbox/e-mail title in the recipient's language (fr default, de)."""
    lang = document_language(language)
    template, labels = _TEMPLATES[lang], _STATUS_LABELS[lang]
    if event.type == "message":
        return template["message"].format(id=public_id)
    if event.type == "document":
        return template["document"].format(id=public_id)
    if event.type == "payment":
        status = _PAYMENT_LABELS[lang].get(event.new or "", event.new or "")
        return template["payment"].format(id=public_id, status=status)
    status = labels.get(event.new or "", event.new or "")
    return template["status"].format(id=public_id, status=status)


def recipients(db: Session, dossier: Dossier, event: DossierEvent) -> list[Person]:
    """Who hears about this event (never the author of a message)."""
    nrns = [dossier.created_by]
    if dossier.applicant_kind == "person":
        nrns.insert(0, dossier.applicant_id)
    if event.type == "message" and dossier.assigned_to:
        nrns.append(dossier.assigned_to)
    unique = list(dict.fromkeys(nrns))
    if event.type == "message":
        unique = [nrn for nrn in unique if nrn != event.actor_nrn]
    return [p for p in (db.get(Person, nrn) for nrn in unique) if p is not None]


def notify(db: Session, event: DossierEvent, dossier: Dossier | None = None) -> list[Notification]:
    """Add the inbox rows (and queue the e-mails) for one new event."""
    if event.type not in NOTIFYING_TYPES:
        return []
    if event.type == "status_changed" and event.new == "submitted":
        return []  # the "submitted" event of the same change already notifies
    dossier = dossier or db.get(Dossier, event.dossier_id)
    if dossier is None:
        return []
    public_id = dossier_public_id(dossier.id, dossier.created_at)
    mailer = context_of(db).mailer
    created = []
    for person in recipients(db, dossier, event):
        title = title_for(event, public_id, person.language)
        note = Notification(
            recipient_nrn=person.nrn,
            at=event.at or utcnow(),
            kind=event.type,
            dossier_id=dossier.id,
            title=title,
        )
        db.add(note)
        created.append(note)
        footer = _TEMPLATES[document_language(person.language)]["footer"].format(id=public_id)
        send_after_commit(db, mailer, person.email or "", title, f"{title}\n\n{footer}\n")
    return created


def on_dossier_event(session: Session, dossier: Dossier, event: DossierEvent) -> None:
    """Hook called by `portal.domain.dossiers.record_event` after each event is flushed."""
    notify(session, event, dossier)


def notification_json(note: Notification, dossier_public: str | None) -> dict[str, Any]:
    """The inbox item of docs/api.md."""

    return {
        "id": str(note.id),
        "at": rfc3339(note.at),
        "kind": note.kind,
        "dossier_id": dossier_public,
        "title": note.title,
        "read": note.read,
    }
