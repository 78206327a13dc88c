"""Attachments: streamed upload with size limit and sniffing, and download.

The upload endpoint reads the request body itself (services/uploads.py) so
that an oversized file is refused after at most the limit, and checks the
caller and the dossier *before* reading a byte: an anonymous or foreign
upload costs the server nothing.
"""

from __future__ import annotations

import base64
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import catalog, states
from portal.api.serialize import attachment_json
from portal.auth.deps import CurrentActor, DbSession
from portal.dossiers import AGENT_FILE_KIND, record_event
from portal.models import Attachment, Dossier
from portal.problems import Problem, conflict, not_found, validation_failed
from portal.services import access
from portal.services.attachments import (
    ACCEPTED_TYPES,
    content_disposition,
    sanitise_filename,
    sniff,
)
from portal.services.blobs import blob_content, store_blob
from portal.services.uploads import MalformedUpload, Upload, UploadTooLarge, read_upload

router = APIRouter(tags=["attachments"])

#: Kind usable on any dossier, e.g. for the attachments of a message.
OTHER_KIND = "other"
#: Statuses in which files may still be added (the thread is open or data editable).
UPLOAD_STATUSES = frozenset(
    {states.DRAFT, states.SUBMITTED, states.IN_REVIEW, states.AWAITING_COMPLEMENT}
)


def upload_body(**fields: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI request body of a multipart upload: these text fields and a `file`."""
    properties = {**fields, "file": {"type": "string", "format": "binary"}}
    schema = {"type": "object", "required": [*fields, "file"], "properties": properties}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


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


def new_attachment(
    db: Session,
    dossier: Dossier,
    upload: Upload,
    *,
    kind: str,
    allowed: tuple[str, ...],
    uploaded_by: str,
) -> Attachment:
    """The checked file as an attachment row (no commit): 415 unless its bytes are `allowed`.

    Shared with the agents' uploads (portal.api.agent): one place sniffs,
    names and stores what anybody attaches.
    """
    content_type = sniff(upload.data)
    if content_type is None or content_type not in allowed:
        what = "a PDF, PNG or JPEG file" if content_type is None else "of another type"
        raise Problem(
            "unsupported-media-type",
            f"the file is not {what}: {kind!r} accepts {', '.join(allowed)}"
            " (the content is checked, not the name)",
        )
    attachment = Attachment(
        dossier_id=dossier.id,
        kind=kind,
        filename=sanitise_filename(upload.filename, content_type),
        content_type=content_type,
        size=len(upload.data),
        sha256=store_blob(db, upload.data),
        uploaded_by=uploaded_by,
    )
    db.add(attachment)
    db.flush()
    return attachment


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


async def receive_upload(request: Request, db: Session) -> Upload:
    """The multipart body, read up to the size limit: 413 past it, 400 when malformed.

    Call it once the caller and the dossier are checked. It ends the
    request's transaction first: the transaction (on SQLite: the database
    lock) must not be held while the client sends its file; the caller
    starts a fresh one afterwards and re-reads the rows.
    """
    await anyio.to_thread.run_sync(db.rollback)
    limit = request.app.state.settings.max_upload
    try:
        return await read_upload(
            request.headers.get("content-type"),
            request.headers.get("content-length"),
            request.stream(),
            limit=limit,
        )
    except UploadTooLarge:
        # Connection: close makes the server drop the rest of the body instead
        # of reading and discarding it: the client stops sending at once.
        raise Problem(
            "too-large",
            f"the file is larger than the limit of {limit} bytes",
            headers={"Connection": "close"},
        ) from None
    except MalformedUpload as exc:
        raise Problem("bad-request", str(exc)) from None


def content_response(content: bytes, content_type: str, filename: str, sha256: str) -> Response:
    """The bytes as a download that no browser will sniff into something else."""
    digest = base64.b64encode(bytes.fromhex(sha256)).decode()
    return Response(
        content,
        media_type=content_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Repr-Digest": f"sha-256=:{digest}:",
            "ETag": f'"{sha256}"',
        },
    )


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
