"""The message thread of a dossier, applicant side (docs/api.md "Messages")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from portal.auth.deps import CurrentActor, DbSession
from portal.services import access
from portal.services.messages import (
    APPLICANT,
    MAX_ATTACHMENTS,
    MAX_BODY,
    message_json,
    post_message,
    thread,
)

router = APIRouter(prefix="/dossiers/{dossier_id}/messages", tags=["messages"])


class NewMessage(BaseModel):
    """Body of `POST /dossiers/{id}/messages`."""

    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY)]
    attachment_ids: Annotated[list[str], Field(max_length=MAX_ATTACHMENTS)] = Field(
        default_factory=list
    )


@router.get("", summary="The dossier's message thread")
def list_messages(dossier_id: str, actor: CurrentActor, db: DbSession) -> dict[str, Any]:
    """Every message in time order (oldest first), with attachments."""
    dossier = access.get_visible(db, actor, dossier_id)
    return {
        "items": [
            message_json(message, dossier, author, attachments)
            for message, author, attachments in thread(db, dossier)
        ]
    }


@router.post("", status_code=201, summary="Write to the agent (answers a complement request)")
def send_message(
    dossier_id: str, body: NewMessage, actor: CurrentActor, db: DbSession
) -> JSONResponse:
    """201 Message; when the dossier awaits a complement, it goes back to in_review."""
    dossier = access.get_visible(db, actor, dossier_id)
    access.require_write(db, actor, dossier)
    message = post_message(
        db,
        dossier,
        actor.person,
        role=APPLICANT,
        body=body.body,
        acting_as=actor.acting_as,
        attachment_ids=body.attachment_ids,
    )
    db.commit()
    attachments = [a for m, _p, a in thread(db, dossier) if m.id == message.id]
    return JSONResponse(
        message_json(message, dossier, actor.person, attachments[0] if attachments else []),
        status_code=201,
    )
