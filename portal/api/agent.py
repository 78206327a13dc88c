"""``/agent/…``: the back office of the services' agents (docs/api.md "Back office").

Thin: parse HTTP, call ``portal.backoffice``, commit. Every path depends on
:func:`current_agent`, which answers 404 to anyone who is no agent (the back
office does not exist for them); ``X-Acting-As`` is ignored — an agent acts
as themself. The webhooks paths (``/agent/webhooks``) live in their own router.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.api.events import LastEventId, event_stream
from portal.api.schemas import problems
from portal.auth.deps import CurrentPrincipal, DbSession
from portal.backoffice import actions, bulk, export, queue, view
from portal.backoffice.access import AgentCaller, agent_of, get_dossier, service_agents, service_of
from portal.backoffice.events import visible_events
from portal.db import reading_session, writes
from portal.domain.dossiers import AGENT_FILE_KIND, event_json, parse_if_match
from portal.domain.serialize import actor_json, attachment_json
from portal.http.transfer import content_response, receive_upload, upload_body
from portal.models import Attachment, Dossier, Person, Service
from portal.pagination import DEFAULT_LIMIT, Cursor, Limit
from portal.problems import FieldError, Problem, not_found, validation_failed
from portal.services import messages
from portal.services.attachments import ACCEPTED_TYPES, new_attachment
from portal.services.blobs import blob_content
from portal.services.uploads import Upload

router = APIRouter(prefix="/agent", tags=["back office"])


def current_agent(principal: CurrentPrincipal, db: DbSession) -> AgentCaller:
    """The caller as an agent of their services; 404 for anyone else."""
    caller = agent_of(db, principal.person)
    if caller is None:
        raise Problem("not-found", "no such resource")
    return caller


CurrentAgent = Annotated[AgentCaller, Depends(current_agent)]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", max_length=100, description='"<version>" (optional)')
]
Purpose = Annotated[str | None, Query(max_length=view.MAX_PURPOSE, description="why you open it")]


# --- filters -----------------------------------------------------------------


def queue_filters(
    status: Annotated[
        str | None, Query(max_length=200, description="comma list, or all (default: open ones)")
    ] = None,
    procedure: Annotated[str | None, Query(max_length=600, description="CODE[,CODE]")] = None,
    service: Annotated[str | None, Query(max_length=40)] = None,
    assigned: Annotated[str | None, Query(max_length=11, description="me | none | <nrn>")] = None,
    overdue: Annotated[bool | None, Query(description="past the legal decision date")] = None,
    older_than: Annotated[int | None, Query(description="submitted at least N days ago")] = None,
    q: Annotated[str | None, Query(max_length=queue.MAX_Q, description="free text")] = None,
) -> queue.QueueFilters:
    """The queue filters of docs/api.md, checked (422 with pointers)."""
    return queue.parse_filters(
        status=status,
        procedure=procedure,
        service=service,
        assigned=assigned,
        overdue=overdue,
        older_than=older_than,
        q=q,
    )


Filters = Annotated[queue.QueueFilters, Depends(queue_filters)]


def queue_sort(
    sort: Annotated[str, Query(description="age | -age | due | -due | updated")] = "age",
) -> queue.Sort:
    """The sort by name; 422 for an unknown one."""
    if sort not in queue.SORTS:
        raise validation_failed(
            "unknown sort", [FieldError("/sort", f"one of {', '.join(queue.SORTS)}")]
        )
    return queue.SORTS[sort]


SortBy = Annotated[queue.Sort, Depends(queue_sort)]


def _expected(dossier: Dossier, if_match: str | None) -> int:
    """The version an action must find: If-Match when given, else the one just read."""
    if if_match is None:
        return dossier.version
    expected = parse_if_match(if_match)
    return dossier.version if expected is None else expected


def _answer(db: DbSession, dossier: Dossier, service: str, status_code: int = 200) -> JSONResponse:
    body = view.agent_dossier_json(db, dossier, service)
    return JSONResponse(body, status_code=status_code, headers={"ETag": f'"{dossier.version}"'})


#: ``plan(dossier, service)``: the change an action makes (portal.backoffice.actions).
Plan = Callable[[Dossier, str], actions.Change]


def _act(
    db: Session, caller: AgentCaller, dossier_id: str, if_match: str | None, plan: Plan
) -> JSONResponse:
    """One action on one dossier: find it (404), plan (409/403/422), apply (412), answer."""
    dossier, service = get_dossier(db, caller, dossier_id)
    expected = _expected(dossier, if_match)
    actions.apply(db, caller, dossier, plan(dossier, service), expected)
    db.commit()
    return _answer(db, dossier, service)


# --- services and queue --------------------------------------------------------


@router.get(
    "/services",
    summary="The caller's services, their agents and procedures",
    responses=problems(400, 401, 404),
)
def services(caller: CurrentAgent, db: DbSession) -> dict[str, Any]:
    """One item per service the caller works in."""
    items = []
    for code in sorted(caller.services):
        service = db.get(Service, code)
        members = service_agents(db, code)
        people = {p.nrn: p for p in db.query(Person).filter(Person.nrn.in_(members))}
        items.append(
            {
                "code": code,
                "name": service.name if service is not None else {"fr": code, "en": code},
                "role": caller.roles[code],
                "agents": [
                    {**actor_json(people[nrn]), "role": role}
                    for nrn, role in sorted(members.items())
                    if nrn in people
                ],
                "procedures": caller.procedures_of(code),
            }
        )
    return {"items": items}


@router.get(
    "/queue",
    summary="The queue of the caller's services (keyset pages)",
    responses=problems(400, 401, 404, 422),
)
def agent_queue(
    caller: CurrentAgent,
    db: DbSession,
    filters: Filters,
    sort: SortBy,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Page of QueueItem in ``sort`` order; a cursor is bound to its sort."""
    return queue.queue_page(db, caller, filters, sort, cursor, limit)


@router.get(
    "/queue/counts",
    summary="Dossiers per status under the same filters",
    responses=problems(400, 401, 404, 422),
)
def agent_queue_counts(caller: CurrentAgent, db: DbSession, filters: Filters) -> dict[str, Any]:
    """Counts per status (the status filter is ignored); total = the open ones."""
    return queue.counts(db, caller, filters)


@router.get(
    "/events",
    summary="Live events of my services' dossiers, agent-only ones included (SSE)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **problems(400, 401, 404, 503)},
)
async def agent_events(
    request: Request,
    principal: CurrentPrincipal,
    caller: CurrentAgent,
    db: DbSession,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    """Like ``GET /events`` for the queue: ``assigned`` and ``note`` (no text) too.

    Whether the caller still works in a service of each event's dossier is
    checked again on each delivery; taken out of every service, or logged
    out, the stream ends with ``event: session-ended`` saying why.
    """
    nrn = caller.person.nrn

    def rows(session: Session, after: int, limit: int) -> Sequence[Any]:
        return visible_events(session, nrn, after, limit) or []

    return await event_stream(
        request,
        db,
        login_id=principal.login_id,
        nrn=nrn,
        acting_as="",
        applicant=None,
        last_event_id=last_event_id,
        rows=rows,
        hidden=frozenset(),
    )


# --- one dossier ---------------------------------------------------------------


@router.get(
    "/dossiers/{dossier_id}",
    summary="Open a dossier (writes the applicant's access log)",
    responses=problems(400, 401, 404, 422),
)
@writes
def agent_dossier(
    dossier_id: str, caller: CurrentAgent, db: DbSession, purpose: Purpose = None
) -> JSONResponse:
    """AgentDossier with ETag; one access-log entry for the applicant."""
    dossier, service = get_dossier(db, caller, dossier_id)
    view.log_opening(db, caller, dossier, service, purpose)
    db.commit()
    return _answer(db, dossier, service)


@router.get(
    "/dossiers/{dossier_id}/messages",
    summary="The dossier's message thread (applicant ⇄ agents)",
    responses=problems(400, 401, 404),
)
def agent_messages(dossier_id: str, caller: CurrentAgent, db: DbSession) -> dict[str, Any]:
    """Every message in time order, with its attachments (``Message`` of docs/api.md)."""
    dossier, _service = get_dossier(db, caller, dossier_id)
    return {
        "items": [
            messages.message_json(message, dossier, author, attachments)
            for message, author, attachments in messages.thread(db, dossier)
        ]
    }


@router.get(
    "/attachments/{attachment_id}/content",
    summary="Download an attachment of a dossier of my services",
    responses=problems(400, 401, 404),
)
def agent_attachment(attachment_id: str, caller: CurrentAgent, db: DbSession) -> Response:
    """The file's bytes; 404 unless its dossier belongs to one of the caller's services."""
    attachment = db.scalar(select(Attachment).where(Attachment.id == attachment_id))
    dossier = db.get(Dossier, attachment.dossier_id) if attachment is not None else None
    # 404 outside the caller's services, naming only the attachment (not its dossier)
    if attachment is None or dossier is None or service_of(caller, dossier) is None:
        raise not_found(f"attachment {attachment_id}")
    return content_response(
        blob_content(db, attachment.sha256),
        attachment.content_type,
        attachment.filename,
        attachment.sha256,
    )


_AGENT_UPLOAD_BODY = upload_body()


def _upload_target(db: Session, caller: AgentCaller, dossier_id: str) -> Dossier:
    dossier, _service = get_dossier(db, caller, dossier_id)
    actions.require_complement_possible(dossier)
    return dossier


def _save_upload(db: Session, caller: AgentCaller, dossier: Dossier, upload: Upload) -> Any:
    actions.require_complement_possible(dossier)  # re-read: it may have changed meanwhile
    attachment = new_attachment(
        db,
        dossier,
        upload,
        kind=AGENT_FILE_KIND,
        allowed=ACCEPTED_TYPES,
        uploaded_by=caller.person.nrn,
    )
    db.commit()
    return attachment_json(attachment)


@router.post(
    "/dossiers/{dossier_id}/attachments",
    status_code=201,
    summary="Upload a file (PDF, PNG or JPEG) for a complement request",
    openapi_extra=_AGENT_UPLOAD_BODY,
    responses=problems(400, 401, 404, 409, 413, 415),
)
async def agent_upload(
    dossier_id: str, request: Request, caller: CurrentAgent, db: DbSession
) -> JSONResponse:
    """201 Attachment (kind ``agent``), to name in ``complement``'s ``attachment_ids``."""
    dossier = await anyio.to_thread.run_sync(_upload_target, db, caller, dossier_id)
    upload = await receive_upload(request, db)
    body = await anyio.to_thread.run_sync(_save_upload, db, caller, dossier, upload)
    return JSONResponse(body, status_code=201)


@router.post(
    "/dossiers/{dossier_id}/claim",
    summary="Take the dossier (submitted → in_review)",
    responses=problems(400, 401, 404, 409, 412),
)
def claim(
    dossier_id: str, caller: CurrentAgent, db: DbSession, if_match: IfMatch = None
) -> JSONResponse:
    """Assign to the caller; 409 when someone else holds it or it is decided."""
    return _act(db, caller, dossier_id, if_match, lambda d, _s: actions.plan_claim(caller, d))


@router.post(
    "/dossiers/{dossier_id}/release",
    summary="Give the dossier back (assignee or supervisor)",
    responses=problems(400, 401, 403, 404, 412),
)
def release(
    dossier_id: str, caller: CurrentAgent, db: DbSession, if_match: IfMatch = None
) -> JSONResponse:
    """Unassign; 403 for an agent releasing someone else's dossier."""
    return _act(db, caller, dossier_id, if_match, lambda d, s: actions.plan_release(caller, d, s))


class AssignBody(BaseModel):
    """Body of ``POST /agent/dossiers/{id}/assign``."""

    nrn: Annotated[str, Field(min_length=1, max_length=20)]


@router.post(
    "/dossiers/{dossier_id}/assign",
    summary="Assign the dossier to an agent of the service (supervisor)",
    responses=problems(400, 401, 403, 404, 409, 412, 413, 422),
)
def assign(
    dossier_id: str, body: AssignBody, caller: CurrentAgent, db: DbSession, if_match: IfMatch = None
) -> JSONResponse:
    """Supervisor only (403); 422 ``/nrn`` for someone who is no agent of the service."""
    nrn = body.nrn.strip()
    return _act(
        db,
        caller,
        dossier_id,
        if_match,
        lambda d, s: actions.plan_assign(db, caller, d, s, nrn, "/nrn"),
    )


class ComplementBody(BaseModel):
    """Body of ``POST /agent/dossiers/{id}/complement``."""

    message: Annotated[str, Field(max_length=20_000)]
    due_date: dt.date
    attachment_ids: Annotated[list[str], Field(max_length=10)] = Field(default_factory=list)


@router.post(
    "/dossiers/{dossier_id}/complement",
    summary="Ask the applicant for a complement, by a date",
    responses=problems(400, 401, 404, 409, 412, 413, 422),
)
def complement(
    dossier_id: str,
    body: ComplementBody,
    caller: CurrentAgent,
    db: DbSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """A message with ``complement_request``; the dossier awaits the complement."""
    dossier, service = get_dossier(db, caller, dossier_id)
    actions.request_complement(
        db,
        caller,
        dossier,
        message=body.message,
        due_date=body.due_date,
        attachment_ids=body.attachment_ids,
        expected=_expected(dossier, if_match),
    )
    db.commit()
    return _answer(db, dossier, service)


class NoteBody(BaseModel):
    """Body of ``POST /agent/dossiers/{id}/notes``."""

    body: Annotated[str, Field(max_length=20_000)]


@router.post(
    "/dossiers/{dossier_id}/notes",
    status_code=201,
    summary="Add a private note (never shown to the applicant)",
    responses=problems(400, 401, 404, 413, 422),
)
def add_note(dossier_id: str, body: NoteBody, caller: CurrentAgent, db: DbSession) -> JSONResponse:
    """201 Note; an event ``note`` (without the text) in the agents' history."""
    dossier, _service = get_dossier(db, caller, dossier_id)
    note = actions.add_note(db, caller, dossier, body.body)
    db.commit()
    return JSONResponse(view.note_json(note), status_code=201)


@router.get(
    "/dossiers/{dossier_id}/notes",
    summary="The dossier's private notes",
    responses=problems(400, 401, 404),
)
def list_notes(dossier_id: str, caller: CurrentAgent, db: DbSession) -> dict[str, Any]:
    """Oldest first."""
    dossier, _service = get_dossier(db, caller, dossier_id)
    return {"items": [view.note_json(n) for n in actions.notes_of(db, dossier)]}


class DecisionBody(BaseModel):
    """Body of ``POST /agent/dossiers/{id}/decision``."""

    outcome: Annotated[str, Field(max_length=20)]
    motivation: Annotated[str, Field(max_length=20_000)]
    appeal: Annotated[str | None, Field(max_length=4_000)] = None


@router.post(
    "/dossiers/{dossier_id}/decision",
    summary="Accept or refuse (files the sealed decision, notifies the applicant)",
    responses=problems(400, 401, 404, 409, 412, 413, 422),
)
def decide(
    dossier_id: str,
    body: DecisionBody,
    caller: CurrentAgent,
    db: DbSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """From in_review only; the answer carries ``decision_document_id``."""
    decision = actions.Decision(body.outcome, body.motivation, body.appeal)

    def plan(dossier: Dossier, _service: str) -> actions.Change:
        return actions.plan_decide(dossier, actions.check_decision(decision))

    return _act(db, caller, dossier_id, if_match, plan)


@router.get(
    "/dossiers/{dossier_id}/history",
    summary="Every event, agent-only ones included",
    responses=problems(400, 401, 404),
)
def history(dossier_id: str, caller: CurrentAgent, db: DbSession) -> dict[str, Any]:
    """The applicant's events plus ``note`` and ``assigned``, in time order."""
    dossier, _service = get_dossier(db, caller, dossier_id)
    return {"items": [event_json(e, dossier) for e in actions.history(db, dossier)]}


# --- bulk and export -------------------------------------------------------------


class BulkItem(BaseModel):
    """A dossier and the version the caller saw."""

    id: Annotated[str, Field(max_length=40)]
    version: int


class BulkFilter(BaseModel):
    """The queue filters, as a JSON object."""

    model_config = ConfigDict(extra="forbid")

    status: Annotated[str | None, Field(max_length=200)] = None
    procedure: Annotated[str | None, Field(max_length=600)] = None
    service: Annotated[str | None, Field(max_length=40)] = None
    assigned: Annotated[str | None, Field(max_length=11)] = None
    overdue: bool | None = None
    older_than: int | None = None
    q: Annotated[str | None, Field(max_length=queue.MAX_Q)] = None


class BulkParams(BaseModel):
    """What the action needs: ``nrn`` (assign), ``outcome``/``motivation``/``appeal`` (decide)."""

    nrn: Annotated[str | None, Field(max_length=20)] = None
    outcome: Annotated[str | None, Field(max_length=20)] = None
    motivation: Annotated[str | None, Field(max_length=20_000)] = None
    appeal: Annotated[str | None, Field(max_length=4_000)] = None


class BulkBody(BaseModel):
    """Body of ``POST /agent/bulk`` (exactly one of ids, items, filter)."""

    action: Annotated[str, Field(max_length=20)]
    params: BulkParams = Field(default_factory=BulkParams)
    ids: Annotated[
        list[Annotated[str, Field(max_length=40)]] | None, Field(max_length=bulk.MAX_DOSSIERS)
    ] = None
    items: Annotated[list[BulkItem] | None, Field(max_length=bulk.MAX_DOSSIERS)] = None
    filter: BulkFilter | None = None
    dry_run: bool = False


@router.post(
    "/bulk",
    summary="One action over many dossiers, with a dry run",
    responses=problems(400, 401, 404, 413, 422),
)
def run_bulk(body: BulkBody, caller: CurrentAgent, db: DbSession) -> dict[str, Any]:
    """A result per dossier; a dossier changed meanwhile is skipped, never overwritten."""
    request = bulk.BulkRequest(
        action=body.action,
        params=body.params.model_dump(exclude_none=True),
        ids=body.ids,
        items=[bulk.Target(i.id, i.version) for i in body.items]
        if body.items is not None
        else None,
        filter=body.filter.model_dump(exclude_none=True) if body.filter is not None else None,
        dry_run=body.dry_run,
    )
    return bulk.run(db, caller, request)


@router.get(
    "/export",
    summary="The queue as CSV or JSON Lines (streamed)",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}, "application/x-ndjson": {}}},
        **problems(400, 401, 404, 422),
    },
)
def export_queue(
    request: Request,
    caller: CurrentAgent,
    db: DbSession,
    filters: Filters,
    sort: SortBy,
    format: Annotated[str, Query(description="csv | jsonl")] = "csv",
    fields: Annotated[str | None, Query(max_length=1000, description="comma list")] = None,
    excel: Annotated[bool, Query(description="; separator and UTF-8 BOM")] = False,
) -> StreamingResponse:
    """Every matching dossier, read a batch at a time; notes are never exported."""
    if format not in export.FORMATS:
        raise validation_failed("unknown format", [FieldError("/format", "csv or jsonl")])
    chosen = export.parse_fields(fields)
    db.close()  # the stream reads in short sessions of its own
    body = export.stream(
        lambda: reading_session(request.app.state),
        caller,
        filters,
        sort,
        fmt=format,
        fields=chosen,
        excel=excel,
    )
    filename = f"queue-{dt.date.today().isoformat()}.{format}"
    return StreamingResponse(
        body(),
        media_type=export.FORMATS[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
