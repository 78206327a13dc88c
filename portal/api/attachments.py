"""Attachments: streamed upload with size limit and sniffing, and download.

The upload endpoint reads the request body itself (services/uploads.py) so
that an oversized file is refused after at most the limit, and checks the
caller and the dossier *before* reading a byte: an anonymous or foreign
upload costs the server nothing.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from portal.auth.deps import CurrentActor, DbSession
from portal.domain import catalog, states
from portal.domain.dossiers import AGENT_FILE_KIND, record_event
from portal.domain.serialize import attachment_json
from portal.http.transfer import content_response, receive_upload, upload_body
from portal.models import Attachment, Dossier
from portal.problems import conflict, not_found, validation_failed
from portal.services import access
from portal.services.attachments import ACCEPTED_TYPES, new_attachment
from portal.services.blobs import blob_content

router = APIRouter(tags=["attachments"])

#: Kind usable on any dossier, e.g. for the attachments of a message.
OTHER_KIND = "other"
#: Statuses in which files may still be added (the thread is open or data editable).
UPLOAD_STATUSES = frozenset(
    {states.DRAFT, states.SUBMITTED, states.IN_REVIEW, states.AWAITING_COMPLEMENT}
)


_UPLOAD_BODY = upload_body(kind={"type": "string", "maxLength": 60})


def _allowed_types(db: DbSession, dossier: Dossier, kind: str) -> tuple[str, ...]:
    """Content types accepted for `kind` on this dossier's procedure; 422 if unknown."""
    if kind == OTHER_KIND:
        return ACCEPTED_TYPES
    found = catalog.version_of(db, dossier.procedure_code, dossier.procedure_version)
    kinds = (found[1].definition.get("attachment_kinds") or []) if found else []
    for item in kinds:
        if item.get("kind") == kind:
            declared = tuple(item.get("content_types") or ACCEPTED_TYPES)
            return tuple(t for t in declared if t in ACCEPTED_TYPES) or ACCEPTED_TYPES
    known = ", ".join([str(k.get("kind")) for k in kinds] + [OTHER_KIND])
    raise validation_failed(
        "unknown attachment kind", [{"pointer": "/kind", "message": f"one of: {known}"}]
    )


def _check_dossier(db: DbSession, actor: CurrentActor, dossier_id: str) -> Dossier:
    dossier = access.get_visible(db, actor, dossier_id)
    access.require_write(db, actor, dossier)
    if dossier.status not in UPLOAD_STATUSES:
        raise conflict(f"no file can be added to a dossier in status {dossier.status!r}")
    return dossier


def _save(db: DbSession, actor: CurrentActor, dossier: Dossier, upload: Any) -> dict[str, Any]:
    if dossier.status not in UPLOAD_STATUSES:  # re-read: it may have changed during the upload
        raise conflict(f"no file can be added to a dossier in status {dossier.status!r}")
    kind = upload.fields.get("kind", "").strip()
    allowed = _allowed_types(db, dossier, kind)
    attachment = new_attachment(
        db, dossier, upload, kind=kind, allowed=allowed, uploaded_by=actor.person.nrn
    )
    record_event(
        db,
        dossier,
        "attachment_added",
        actor_nrn=actor.person.nrn,
        acting_as=actor.acting_as,
        new=kind,
        detail=attachment.id,
    )
    db.commit()
    return attachment_json(attachment)


@router.post(
    "/dossiers/{dossier_id}/attachments",
    status_code=201,
    summary="Upload a file (PDF, PNG or JPEG) to a dossier",
    openapi_extra=_UPLOAD_BODY,
    responses={413: {"description": "too large"}, 415: {"description": "not PDF/PNG/JPEG"}},
)
async def upload_attachment(
    dossier_id: str, request: Request, actor: CurrentActor, db: DbSession
) -> JSONResponse:
    """multipart/form-data with `kind` and `file`; 413 over the limit, 415 if disguised."""
    dossier = await anyio.to_thread.run_sync(_check_dossier, db, actor, dossier_id)
    upload = await receive_upload(request, db)
    body = await anyio.to_thread.run_sync(_save, db, actor, dossier, upload)
    return JSONResponse(body, status_code=201)


@router.get("/attachments/{attachment_id}/content", summary="Download an attachment")
def download_attachment(attachment_id: str, actor: CurrentActor, db: DbSession) -> Response:
    """The file's bytes; 404 for an attachment of a dossier the caller may not see."""
    what = f"attachment {attachment_id}"
    attachment = db.scalar(select(Attachment).where(Attachment.id == attachment_id))
    if attachment is None or (attachment.kind == AGENT_FILE_KIND and attachment.message_id is None):
        raise not_found(what)  # an agent's file reaches the applicant with its message
    access.visible_by_pk(db, actor, attachment.dossier_id, what)
    return content_response(
        blob_content(db, attachment.sha256),
        attachment.content_type,
        attachment.filename,
        attachment.sha256,
    )
