"""The document vault and the portal's seal (docs/api.md "Documents")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Select, select

from portal.auth.deps import CurrentActor, DbSession
from portal.domain.authz import Actor
from portal.domain.dossiers import within_domains
from portal.domain.serialize import rfc3339
from portal.http.transfer import content_response
from portal.models import Document, Dossier, dossier_public_id
from portal.pagination import DEFAULT_LIMIT, Cursor, Limit
from portal.problems import Problem, not_found
from portal.services.blobs import blob_content
from portal.services.cursors import newest_first_page
from portal.services.periphery import PeripheryContext
from portal.services.seal import SealError

router = APIRouter(tags=["documents"])
_KIND = "documents"


def document_json(document: Document, dossier: Dossier | None) -> dict[str, Any]:
    """`Document` of docs/api.md."""
    return {
        "id": document.id,
        "kind": document.kind,
        "title": document.title,
        "dossier_id": dossier_public_id(dossier.id, dossier.created_at) if dossier else None,
        "filename": document.filename,
        "content_type": document.content_type,
        "sha256": document.sha256,
        "created_at": rfc3339(document.created_at),
    }


def _vault(actor: Actor) -> Select[Document, Dossier]:
    """The acting context's documents, limited to its domains when it has some."""
    seen = actor.visibility
    query = (
        select(Document, Dossier)
        .outerjoin(Dossier, Dossier.id == Document.dossier_id)
        .where(Document.owner_kind == seen.applicant_kind, Document.owner_id == seen.applicant_id)
    )
    return within_domains(query, seen)


def _visible_document(db: DbSession, actor: Actor, document_id: str) -> Document:
    row = db.execute(_vault(actor).where(Document.id == document_id)).first()
    if row is None:
        raise not_found(f"document {document_id}")
    return row[0]


@router.get("/documents", summary="The acting context's document vault")
def list_documents(
    actor: CurrentActor, db: DbSession, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Newest first (`created_at` desc, `id` desc)."""
    return newest_first_page(db, _vault(actor), Document, _KIND, cursor, limit, document_json)


@router.get("/documents/{document_id}", summary="One document's description")
def get_document(document_id: str, actor: CurrentActor, db: DbSession) -> dict[str, Any]:
    """The `Document`; 404 when it is not in the acting context's vault."""
    document = _visible_document(db, actor, document_id)
    dossier = db.get(Dossier, document.dossier_id) if document.dossier_id else None
    return document_json(document, dossier)


@router.get("/documents/{document_id}/content", summary="Download a document")
def document_content(document_id: str, actor: CurrentActor, db: DbSession) -> Response:
    """The PDF bytes exactly as sealed."""
    document = _visible_document(db, actor, document_id)
    content = blob_content(db, document.sha256)
    return content_response(content, document.content_type, document.filename, document.sha256)


@router.get("/documents/{document_id}/seal", summary="The portal's seal on a document")
def document_seal(document_id: str, actor: CurrentActor, db: DbSession) -> dict[str, Any]:
    """`Seal` JSON: verify it offline with `GET /seal/certificates`."""
    document = _visible_document(db, actor, document_id)
    if not document.seal:
        raise not_found(f"seal of document {document_id}")
    return dict(document.seal)


@router.get("/seal/certificates", summary="The seal's certificates, for offline checks")
def seal_certificates(request: Request) -> dict[str, Any]:
    """Public: the sealing chain and the trust anchor a verifier pins once."""
    context: PeripheryContext = request.app.state.periphery
    try:
        return context.seal_credentials().public_certificates()
    except SealError as exc:
        raise Problem("unavailable", f"the portal has no seal configured: {exc}") from None
