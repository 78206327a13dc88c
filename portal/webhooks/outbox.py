"""The webhook outbox: one ``webhook_deliveries`` row per event and subscribed endpoint.

Why an outbox written in the dossier's own transaction: a delivery exists
if and only if the change it reports was committed — a rolled-back decision
sends nothing, and a committed one is never lost when the process dies
before sending (the dispatcher of any process picks the row up).

`portal.domain.dossiers.record_event` calls :func:`on_dossier_event` for every
event. The event is only noted on the session; the rows are written just
before the commit (``before_commit``), so the payload shows the dossier as
committed — e.g. the ``dossier.submitted`` payload has its ``submitted_at``,
which the submit code sets after recording the event. After the commit the
process's dispatcher is woken up so the delivery leaves at once.

What is never sent: ``note`` events (private to the agents), edits of the
data, and anything about a dossier that was never submitted (a draft is
the applicant's own business; agents do not see it either).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, SessionTransaction

from portal.backoffice.access import submitted_once
from portal.domain.dossiers import event_json
from portal.domain.serialize import actor_json, applicant_json, rfc3339
from portal.models import (
    Dossier,
    DossierEvent,
    Person,
    Procedure,
    WebhookDelivery,
    WebhookEndpoint,
    new_id,
    utcnow,
)
from portal.webhooks.endpoints import ALL

#: Dossier event type → webhook event type (others are never delivered).
EVENT_TYPES = {
    name: f"dossier.{name}"
    for name in (
        "created",
        "submitted",
        "status_changed",
        "message",
        "attachment_added",
        "document",
        "payment",
        "assigned",
    )
}
DECIDED = "dossier.decided"
DECISIONS = frozenset({"accepted", "refused"})

#: Session ``info`` keys: the events noted in this transaction, the listener
#: flag, and the dispatcher's wake-up function (put there by `install`).
_PENDING = "monespace_webhook_pending"
_LISTENING = "monespace_webhook_listening"
_ENQUEUED = "monespace_webhook_enqueued"
WAKE_KEY = "monespace_webhook_wake"


def webhook_types(event: DossierEvent) -> list[str]:
    """The webhook event types one dossier event produces (often one, maybe none)."""
    name = EVENT_TYPES.get(event.type)
    if name is None:
        return []
    if event.type == "status_changed" and event.new in DECISIONS:
        return [name, DECIDED]
    return [name]


def on_dossier_event(db: Session, dossier: Dossier, event: DossierEvent) -> None:
    """Hook of `portal.domain.dossiers.record_event`: note the event for the outbox."""
    if not webhook_types(event):
        return
    if not db.info.get(_LISTENING):
        db.info[_LISTENING] = True
        sa_event.listen(db, "before_commit", _write_deliveries)
        sa_event.listen(db, "after_commit", _wake_dispatcher)
        sa_event.listen(db, "after_transaction_end", _forget_on_rollback)
    db.info.setdefault(_PENDING, []).append((dossier, event))


def _forget_on_rollback(db: Session, transaction: SessionTransaction) -> None:
    """A rolled-back transaction sends nothing (a commit has emptied the list already).

    Only the outermost transaction counts: a rolled-back savepoint undoes its
    own events (they are no longer persistent, see below), not those before it.
    """
    if transaction.parent is None:
        db.info.pop(_PENDING, None)
        db.info.pop(_ENQUEUED, None)


def _write_deliveries(db: Session) -> None:
    pending: list[tuple[Dossier, DossierEvent]] = db.info.pop(_PENDING, [])
    count = 0
    endpoints_of: dict[str, list[WebhookEndpoint]] = {}
    for dossier, event in pending:
        if not inspect(event).persistent:
            continue  # undone by a rolled-back savepoint
        if not submitted_once(dossier):
            continue  # never submitted: private to the applicant, as for agents
        service = _service_of(db, dossier)
        if service not in endpoints_of:
            endpoints_of[service] = _active_endpoints(db, service)
        for type_ in webhook_types(event):
            for endpoint in endpoints_of[service]:
                if ALL in endpoint.event_types or type_ in endpoint.event_types:
                    db.add(_delivery(db, endpoint, type_, dossier, event, service))
                    count += 1
    if count:
        db.info[_ENQUEUED] = db.info.get(_ENQUEUED, 0) + count


def _wake_dispatcher(db: Session) -> None:
    if not db.info.pop(_ENQUEUED, 0):
        return
    wake: Callable[[], None] | None = db.info.get(WAKE_KEY)
    if wake is not None:
        wake()


def _service_of(db: Session, dossier: Dossier) -> str:
    procedure = db.get(Procedure, dossier.procedure_code)
    assert procedure is not None, "a dossier's procedure always exists (foreign key)"
    return procedure.service_code


def _active_endpoints(db: Session, service: str) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.service_code == service, WebhookEndpoint.active.is_(True)
    )
    return list(db.scalars(query))


def _delivery(
    db: Session,
    endpoint: WebhookEndpoint,
    type_: str,
    dossier: Dossier,
    event: DossierEvent,
    service: str,
) -> WebhookDelivery:
    now = utcnow()
    return WebhookDelivery(
        message_id=new_id("msg"),
        endpoint_id=endpoint.id,
        event_id=event.id,
        event_type=type_,
        payload=render_payload(db, type_, dossier, event, service),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def render_payload(
    db: Session, type_: str, dossier: Dossier, event: DossierEvent, service: str
) -> str:
    """The delivery body of docs/api.md, compact JSON (the exact bytes that are signed)."""

    body = {
        "type": type_,
        "timestamp": rfc3339(event.at),
        "data": {"event": event_json(event, dossier), "dossier": summary(db, dossier, service)},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def summary(db: Session, dossier: Dossier, service: str) -> dict[str, Any]:
    """The dossier without its form data: what a business application needs to fetch it."""

    assignee = db.get(Person, dossier.assigned_to) if dossier.assigned_to else None
    return {
        "id": dossier.public_id,
        "procedure": dossier.procedure_code,
        "service": service,
        "title": dossier.title,
        "status": dossier.status,
        "applicant": applicant_json(dossier),
        "submitted_at": rfc3339(dossier.submitted_at),
        "decision_due_at": rfc3339(dossier.decision_due_at),
        "assigned_to": actor_json(assignee) if assignee is not None else None,
        "updated_at": rfc3339(dossier.updated_at),
        "version": dossier.version,
    }
