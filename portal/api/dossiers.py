"""``/dossiers``: create, list, read, edit, validate, submit, withdraw, history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from portal import csam
from portal.api.schemas import DossierOut, DossierPage, EventList, ValidationReport, problems
from portal.auth.card_required import require_card
from portal.auth.deps import CurrentActor, DbSession
from portal.db import write_apart
from portal.domain import dossiers, states
from portal.domain.authz import Actor
from portal.domain.serialize import dossier_json
from portal.http import idempotency
from portal.messages import translate
from portal.models import Dossier, Person
from portal.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page
from portal.problems import FieldError, Problem, request_language
from portal.services import submission
from portal.services.events import AGENT_ONLY_TYPES
from portal.timestamps import parse_instant

router = APIRouter(prefix="/dossiers", tags=["dossiers"])
_KIND = "dossiers"

IdempotencyKeyHeader = Annotated[
    str | None, Header(alias="Idempotency-Key", max_length=200, description="retry-safe key")
]
DossierId = Annotated[str, "MSP-YYYY-NNNNNN"]


class CreateDossier(BaseModel):
    """Body of ``POST /dossiers``."""

    procedure: Annotated[str, Field(min_length=1, max_length=60)]
    data: dict[str, Any] = Field(default_factory=dict)


def _full(db: DbSession, dossier: Dossier) -> dict[str, Any]:
    creator = db.get(Person, dossier.created_by)
    assert creator is not None
    return dossier_json(dossier, creator=creator, attachments=dossiers.attachments_of(db, dossier))


def _with_etag(body: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers={"ETag": f'"{body["version"]}"'})


def _idempotent(
    db: DbSession,
    actor: Actor,
    key: str | None,
    scope: str,
    request: dict[str, Any],
    action: Any,
    status_code: int,
) -> JSONResponse:
    """Run ``action`` once per key; replay its stored answer on a retry."""
    key = idempotency.check_key(key)
    digest = idempotency.fingerprint(request)
    if key is not None:
        earlier = idempotency.previous(db, actor.person.nrn, scope, key, digest)
        if earlier is not None:
            return _with_etag(earlier.response, earlier.status_code)
    body = action()
    if key is not None:
        idempotency.remember(db, actor.person.nrn, scope, key, digest, status_code, body)
    try:
        db.commit()
    except IntegrityError:  # the same key raced in from a parallel retry
        db.rollback()
        if key is None:
            raise
        earlier = idempotency.previous(db, actor.person.nrn, scope, key, digest)
        if earlier is None:
            raise
        return _with_etag(earlier.response, earlier.status_code)
    return _with_etag(body, status_code)


@router.post(
    "",
    status_code=201,
    summary="Start a dossier (draft, prefilled)",
    responses={201: {"model": DossierOut}, **problems(400, 401, 403, 404, 409, 413, 422)},
)
def create_dossier(
    body: CreateDossier,
    actor: CurrentActor,
    db: DbSession,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """A new draft for the acting context; supplied data wins over prefill."""

    def action() -> dict[str, Any]:
        dossier = dossiers.create(db, actor, body.procedure, body.data)
        return _full(db, dossier)

    request = {"body": body.model_dump(), "acting_as": actor.acting_as}
    return _idempotent(db, actor, idempotency_key, "create-dossier", request, action, 201)


def _parse_since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_instant(value, naive_is_utc=True)
    except ValueError:
        raise Problem(
            "bad-request", "updated_since must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z"
        ) from None


def _after(key: list[Any] | None) -> tuple[dt.datetime, int] | None:
    if key is None:
        return None
    try:
        at, pk = key
        moment = parse_instant(at)
    except (TypeError, ValueError):
        moment = None
    if moment is None or type(pk) is not int or not 0 < pk < 2**62:
        raise Problem("bad-request", "the cursor is not valid for this list")
    return moment, pk


@router.get(
    "",
    summary="List dossiers of the acting context",
    response_model=None,
    responses={200: {"model": DossierPage}, **problems(400, 401, 403, 422)},
)
def list_dossiers(
    actor: CurrentActor,
    db: DbSession,
    status: Annotated[str | None, Query(description=" | ".join(states.STATUSES))] = None,
    procedure: Annotated[str | None, Query(max_length=60)] = None,
    applicant: Annotated[str | None, Query(max_length=20)] = None,
    updated_since: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Newest change first (``updated_at`` desc, ``id`` desc); no ``data``."""
    if status is not None and status not in states.STATUSES:
        raise Problem("bad-request", f"unknown status {status!r}")
    rows = dossiers.list_page(
        db,
        actor,
        status=status,
        procedure=procedure,
        applicant=applicant,
        updated_since=_parse_since(updated_since),
        after=_after(decode_cursor(_KIND, cursor)),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    creators = {
        p.nrn: p for p in db.query(Person).filter(Person.nrn.in_({r.created_by for r in rows}))
    }
    items = [dossier_json(r, creator=creators[r.created_by], with_data=False) for r in rows]
    next_key = [rows[-1].updated_at.isoformat(), rows[-1].id] if more else None
    return page(items, next_key, _KIND)


@router.get(
    "/{dossier_id}",
    summary="One dossier (with ETag)",
    responses={200: {"model": DossierOut}, **problems(401, 403, 404)},
)
def get_dossier(dossier_id: DossierId, actor: CurrentActor, db: DbSession) -> JSONResponse:
    """The dossier with its data; ``ETag: "<version>"``.

    A reader: a mandataire's read is logged for the beneficiary
    (portal.csam.transparency) in a short transaction of its own after the
    read, so plain reads never queue behind SQLite's writers.
    """
    dossier = dossiers.get_visible(db, actor, dossier_id)
    body = _full(db, dossier)
    with write_apart(db) as log:
        csam.log_mandataire_read(log, actor, dossier)  # the beneficiary sees the read
    return _with_etag(body)


@router.put(
    "/{dossier_id}/data",
    summary="Replace the dossier's data (If-Match)",
    responses={200: {"model": DossierOut}, **problems(400, 401, 403, 404, 409, 412, 413, 422, 428)},
)
def put_data(
    dossier_id: DossierId,
    actor: CurrentActor,
    db: DbSession,
    data: Annotated[dict[str, Any], Body(description="the whole data object")],
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=100)] = None,
) -> JSONResponse:
    """Draft or awaiting_complement only; 428 without If-Match, 412 when stale."""
    dossier = dossiers.get_visible(db, actor, dossier_id)
    dossiers.update_data(db, actor, dossier, data, if_match)
    db.commit()
    return _with_etag(_full(db, dossier))


@router.post(
    "/{dossier_id}/validate",
    summary="Check the dossier (never 422)",
    response_model=None,
    responses={200: {"model": ValidationReport}, **problems(401, 403, 404)},
)
def validate(
    dossier_id: DossierId, actor: CurrentActor, db: DbSession, request: Request
) -> dict[str, Any]:
    """Every field error and the missing required attachments.

    The field messages are read by the applicant as they fill the form, so
    they come in the caller's language, like a 422's.
    """
    dossier = dossiers.get_visible(db, actor, dossier_id)
    errors, missing = dossiers.problems_of(db, dossier)
    lang = request_language(request)
    said = [FieldError(e["pointer"], translate(e["message"], lang)) for e in errors]
    body: dict[str, Any] = {"valid": not errors and not missing, "errors": said}
    body["missing_attachments"] = missing
    return body


@router.post(
    "/{dossier_id}/submit",
    summary="Submit the dossier",
    responses={200: {"model": DossierOut}, **problems(400, 401, 403, 404, 409, 422)},
)
def submit(
    http: Request,
    dossier_id: DossierId,
    actor: CurrentActor,
    db: DbSession,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Submitted, with receipt (and payment when there is a fee); 422 with every problem."""
    dossier = dossiers.get_visible(db, actor, dossier_id)
    require_card(http.app.state.settings, actor.session, f"submit:{dossier.procedure_code}")

    def action() -> dict[str, Any]:
        submission.submit(db, actor, dossier)
        return _full(db, dossier)

    request = {"dossier": dossier.id}
    return _idempotent(db, actor, idempotency_key, f"submit:{dossier.id}", request, action, 200)


@router.post(
    "/{dossier_id}/withdraw",
    summary="Withdraw the dossier",
    responses={200: {"model": DossierOut}, **problems(401, 403, 404, 409)},
)
def withdraw(dossier_id: DossierId, actor: CurrentActor, db: DbSession) -> JSONResponse:
    """From draft, submitted or awaiting_complement; else 409."""
    dossier = dossiers.get_visible(db, actor, dossier_id)
    dossiers.withdraw(db, actor, dossier)
    db.commit()
    return _with_etag(_full(db, dossier))


@router.get(
    "/{dossier_id}/events",
    summary="The dossier's history",
    response_model=None,
    responses={200: {"model": EventList}, **problems(401, 403, 404)},
)
def events(dossier_id: DossierId, actor: CurrentActor, db: DbSession) -> dict[str, Any]:
    """Every event in time order: who, acting as whom, when, old → new."""
    dossier = dossiers.get_visible(db, actor, dossier_id)
    events = [e for e in dossiers.events_of(db, dossier) if e.type not in AGENT_ONLY_TYPES]
    return {"items": [dossiers.event_json(e, dossier) for e in events]}
