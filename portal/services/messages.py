"""The message thread of a dossier (applicant ⇄ agent) and complement requests.

Why the status changes live here: a complement request *is* a message (the
agent says what is missing and by when) and the applicant's answer *is* a
message too; keeping the message and the status change in one function and
one transaction means a thread and a status can never disagree. The moves
are the life cycle's (`portal.domain.states`): agent `in_review →
awaiting_complement` with a due date, applicant `awaiting_complement →
in_review` on answering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import states
from portal.domain.dossiers import record_event, touch
from portal.domain.serialize import actor_json, attachment_json, rfc3339
from portal.models import Attachment, Dossier, Message, Person, utcnow
from portal.problems import conflict, validation_failed

APPLICANT, AGENT = "applicant", "agent"
MAX_BODY = 10_000
MAX_ATTACHMENTS = 10
#: A thread is open once the dossier reached the administration, and stays
#: readable (not writable) once it is closed or withdrawn.
OPEN_STATUSES = frozenset(
    {
        states.SUBMITTED,
        states.IN_REVIEW,
        states.AWAITING_COMPLEMENT,
        states.ACCEPTED,
        states.REFUSED,
    }
)


def _claim_attachments(
    db: Session, dossier: Dossier, ids: Sequence[str], author: Person
) -> list[Attachment]:
    """The listed attachments of this dossier, not yet used by another message."""
    if len(ids) > MAX_ATTACHMENTS:
        raise validation_failed(
            "too many attachments",
            [{"pointer": "/attachment_ids", "message": f"at most {MAX_ATTACHMENTS}"}],
        )
    found = {
        a.id: a
        for a in db.scalars(
            select(Attachment).where(Attachment.id.in_(ids), Attachment.dossier_id == dossier.id)
        )
    }
    errors = [
        {"pointer": f"/attachment_ids/{i}", "message": "no such attachment on this dossier"}
        for i, att_id in enumerate(ids)
        if att_id not in found
        or found[att_id].message_id is not None
        or found[att_id].uploaded_by != author.nrn
    ]
    if errors:
        raise validation_failed("some attachments cannot be used", errors)
    return [found[i] for i in dict.fromkeys(ids)]


def _move(db: Session, dossier: Dossier, new: str, actor: Person, acting_as: str) -> None:
    old = dossier.status
    if not states.allowed(old, new):
        raise conflict(f"dossier {dossier.public_id} is {old}: it cannot become {new}")
    dossier.status = new
    touch(dossier)
    record_event(
        db, dossier, "status_changed", actor_nrn=actor.nrn, acting_as=acting_as, old=old, new=new
    )


def post_message(
    db: Session,
    dossier: Dossier,
    author: Person,
    *,
    role: str,
    body: str,
    acting_as: str = "me",
    attachment_ids: Sequence[str] = (),
    complement_request: bool = False,
    due_at: dt.datetime | None = None,
) -> Message:
    """Add a message (no commit), moving the status when it is a complement step."""
    body = body.strip()
    if not body or len(body) > MAX_BODY:
        raise validation_failed(
            "the message is empty or too long",
            [{"pointer": "/body", "message": f"between 1 and {MAX_BODY} characters"}],
        )
    if dossier.status not in OPEN_STATUSES:
        raise conflict(f"dossier {dossier.public_id} is {dossier.status}: its thread is closed")
    attachments = _claim_attachments(db, dossier, attachment_ids, author)
    now = utcnow()
    if complement_request:
        if role != AGENT or due_at is None:
            raise conflict("only an agent asks for a complement, with a due date")
        _move(db, dossier, states.AWAITING_COMPLEMENT, author, acting_as)
        dossier.due_at = due_at
    elif role == APPLICANT and dossier.status == states.AWAITING_COMPLEMENT:
        _move(db, dossier, states.IN_REVIEW, author, acting_as)
        dossier.due_at = None
    message = Message(
        dossier_id=dossier.id,
        author_nrn=author.nrn,
        author_role=role,
        body=body,
        complement_request=complement_request,
        due_at=due_at if complement_request else None,
        created_at=now,
    )
    db.add(message)
    db.flush()
    for attachment in attachments:
        attachment.message_id = message.id
    dossier.updated_at = now  # the version (ETag) moves only with data or status
    record_event(
        db, dossier, "message", actor_nrn=author.nrn, acting_as=acting_as, detail=message.id
    )
    return message


def thread(db: Session, dossier: Dossier) -> list[tuple[Message, Person, list[Attachment]]]:
    """The messages in time order, with author and attachments."""
    messages = db.scalars(
        select(Message)
        .where(Message.dossier_id == dossier.id)
        .order_by(Message.created_at, Message.id)
    ).all()
    by_message: dict[str, list[Attachment]] = {}
    if messages:
        for attachment in db.scalars(
            select(Attachment)
            .where(Attachment.message_id.in_([m.id for m in messages]))
            .order_by(Attachment.created_at)
        ):
            by_message.setdefault(attachment.message_id or "", []).append(attachment)
    return [(m, db.get(Person, m.author_nrn), by_message.get(m.id, [])) for m in messages]  # type: ignore[misc]


def message_json(
    message: Message, dossier: Dossier, author: Person, attachments: list[Attachment]
) -> dict[str, Any]:
    """``Message`` of docs/api.md."""
    body: dict[str, Any] = {
        "id": message.id,
        "dossier_id": dossier.public_id,
        "author": {**actor_json(author), "role": message.author_role},
        "body": message.body,
        "attachments": [attachment_json(a) for a in attachments],
        "created_at": rfc3339(message.created_at),
        "complement_request": message.complement_request,
    }
    if message.due_at is not None:
        body["due_at"] = rfc3339(message.due_at)
    return body
