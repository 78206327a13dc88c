"""Dossier operations: create with prefill, read within a context, edit, validate,
submit, withdraw — each change recorded as an event.

Routers stay thin: they parse HTTP and call these functions inside one
transaction, so a refused operation leaves nothing half-written.

What other parts do when a dossier changes (the applicant's notifications,
the webhooks' outbox) are *listeners*: the app registers them on its
sessionmaker (:func:`listen`, called by ``portal.app.create_app``), and
:func:`record_event` calls them after each event, in the same transaction.
They are services above this module that themselves record events here, so
this module cannot import them; the registration is a plain import in the
app, which mypy and the import contracts see. What submission owes the
applicant (the receipt, the payment) is ``portal.services.submission``'s.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, TypeVarTuple

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from portal.domain import catalog, forms, states
from portal.domain.accesslog import record_access
from portal.domain.authz import Actor, Visibility
from portal.domain.serialize import actor_json, person_json, rfc3339
from portal.models import (
    Attachment,
    Dossier,
    DossierEvent,
    Organisation,
    Person,
    Procedure,
    parse_dossier_id,
    utcnow,
)
from portal.problems import FieldError, Problem, conflict, not_found

log = logging.getLogger(__name__)
_Row = TypeVarTuple("_Row")


#: A reaction to a dossier event: called with the session, the dossier and the
#: event just flushed, inside the transaction that recorded it.
EventListener = Callable[[Session, Dossier, DossierEvent], None]
#: Where a sessionmaker keeps its listeners (in the ``info`` of each session).
LISTENERS_KEY = "monespace_dossier_listeners"


def listen(maker: sessionmaker[Session], *listeners: EventListener) -> None:
    """Have every session ``maker`` opens call ``listeners`` after each recorded event.

    Why on the sessionmaker and not in a module-wide list: each app (and
    each test's app) wires its own, so two apps in one process never add
    each other's listeners twice.
    """
    info = dict(maker.kw.get("info") or {})
    info[LISTENERS_KEY] = (*info.get(LISTENERS_KEY, ()), *listeners)
    maker.configure(info=info)


# --- events ------------------------------------------------------------------


def record_event(
    db: Session,
    dossier: Dossier,
    type_: str,
    *,
    actor_nrn: str,
    acting_as: str,
    old: str | None = None,
    new: str | None = None,
    detail: str | None = None,
) -> DossierEvent:
    """Add an event to the dossier's history and tell the app's listeners (:func:`listen`)."""
    event = DossierEvent(
        dossier_id=dossier.id,
        type=type_,
        at=utcnow(),
        actor_nrn=actor_nrn,
        acting_as=acting_as,
        old=old,
        new=new,
        detail=detail,
    )
    db.add(event)
    db.flush()
    listener: EventListener
    for listener in db.info.get(LISTENERS_KEY, ()):
        listener(db, dossier, event)
    return event


def event_json(event: DossierEvent, dossier: Dossier) -> dict[str, Any]:
    """``Event`` of docs/api.md."""

    body: dict[str, Any] = {
        "id": event.id,
        "dossier_id": dossier.public_id,
        "type": event.type,
        "at": rfc3339(event.at),
        "actor": actor_json(event.actor),
        "acting_as": event.acting_as,
    }
    for key in ("old", "new", "detail"):
        value = getattr(event, key)
        if value is not None:
            body[key] = value
    return body


# --- reading -----------------------------------------------------------------


def within_domains(query: Select[*_Row], seen: Visibility) -> Select[*_Row]:
    """Keep, of a query joined to ``Dossier``, the rows of the context's domains.

    A context reached through roles or mandates sees only the procedures of
    its domains; dossiers, documents, payments and events all apply this one
    rule (a query without a dossier row loses that row when domains apply).
    """
    if seen.domains is None:
        return query
    return query.join(Procedure, Procedure.code == Dossier.procedure_code).where(
        Procedure.domain.in_(sorted(seen.domains))
    )


def visible_to(seen: Visibility, applicant: tuple[str, str], domain: str | None) -> bool:
    """The rule of :func:`within_domains` for one dossier in memory (live streams).

    ``applicant`` is the dossier's ``(applicant_kind, applicant_id)`` and
    ``domain`` its procedure's domain.
    """
    if applicant != (seen.applicant_kind, seen.applicant_id):
        return False
    return seen.domains is None or domain in seen.domains


def _visible(query: Select[Any], actor: Actor) -> Select[Any]:
    vis = actor.visibility
    query = query.where(
        Dossier.applicant_kind == vis.applicant_kind, Dossier.applicant_id == vis.applicant_id
    )
    return within_domains(query, vis)


def get_visible(db: Session, actor: Actor, public_id: str) -> Dossier:
    """The dossier if the actor may see it; 404 otherwise (never 403: no leak)."""
    parsed = parse_dossier_id(public_id)
    if parsed is None:
        raise not_found(f"dossier {public_id!r}")
    year, pk = parsed
    dossier = db.scalar(_visible(select(Dossier).where(Dossier.id == pk), actor))
    if dossier is None or dossier.created_at.year != year:
        raise not_found(f"dossier {public_id!r}")
    return dossier


#: The kind of the files an agent uploads for a complement request
#: (``POST /agent/dossiers/{id}/attachments``): they belong to the agent's
#: message, never to the applicant's file, and no procedure may use the name.
AGENT_FILE_KIND = "agent"


def attachments_of(db: Session, dossier: Dossier) -> list[Attachment]:
    """The dossier's own attachments (not those of messages), oldest first.

    An agent's file waiting for its complement request is not one of them.
    """
    query = (
        select(Attachment)
        .where(
            Attachment.dossier_id == dossier.id,
            Attachment.message_id.is_(None),
            Attachment.kind != AGENT_FILE_KIND,
        )
        .order_by(Attachment.created_at, Attachment.id)
    )
    return list(db.scalars(query))


def list_page(
    db: Session,
    actor: Actor,
    *,
    status: str | None,
    procedure: str | None,
    applicant: str | None,
    updated_since: dt.datetime | None,
    after: tuple[dt.datetime, int] | None,
    limit: int,
) -> list[Dossier]:
    """Visible dossiers, newest change first (``updated_at`` desc, id desc)."""
    query = _visible(select(Dossier), actor)
    if status:
        query = query.where(Dossier.status == status)
    if procedure:
        query = query.where(Dossier.procedure_code == procedure)
    if applicant and applicant != actor.visibility.applicant_id:
        return []
    if updated_since is not None:
        query = query.where(Dossier.updated_at >= updated_since)
    if after is not None:
        at, pk = after
        query = query.where(
            or_(Dossier.updated_at < at, and_(Dossier.updated_at == at, Dossier.id < pk))
        )
    query = query.order_by(Dossier.updated_at.desc(), Dossier.id.desc()).limit(limit)
    return list(db.scalars(query))


# --- creating ----------------------------------------------------------------


def _person_record(person: Person) -> dict[str, Any]:

    record = person_json(person)
    record.update(email=person.email, birth_place=person.birth_place, name=person.name)
    return record


def _organisation_record(org: Organisation) -> dict[str, Any]:
    return {
        "bce": org.bce,
        "name": org.name,
        "legal_form": org.legal_form,
        "kind": org.kind,
        "seat": org.seat,
        "nace": org.nace,
        "size_fte": org.size_fte,
        "founded": org.founded.isoformat() if org.founded else None,
        "email": org.email,
    }


def _data_category(field: str) -> str:
    head = field.split(".", 1)[0]
    return head if head in ("address", "seat", "nace", "email") else "identity"


def apply_prefill(
    db: Session, actor: Actor, dossier: Dossier, schema: dict[str, Any], supplied: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Data with prefilled values under the supplied ones, and the pointer → source map.

    Each (subject, data category) read is logged once in the access log.
    """
    data = dict(supplied)
    prefilled: dict[str, str] = {}
    organisation = (
        db.get(Organisation, dossier.applicant_id)
        if dossier.applicant_kind == "organisation"
        else None
    )
    records: dict[str, tuple[str, str, dict[str, Any]] | None] = {
        "rn": ("person", actor.person.nrn, _person_record(actor.person)),
        "bce": (
            ("organisation", organisation.bce, _organisation_record(organisation))
            if organisation is not None
            else None
        ),
    }
    reads: set[tuple[str, str, str]] = set()
    for field in forms.prefill_fields(schema):
        source = records.get(field.source)
        if source is None or forms.has(data, field.pointer):
            continue
        kind, subject_id, record = source
        value = forms.lookup(record, field.field)
        if value is None:
            continue
        forms.put(data, field.pointer, value)
        prefilled["/" + "/".join(field.pointer)] = field.source
        reads.add((kind, subject_id, _data_category(field.field)))
    for kind, subject_id, category in sorted(reads):
        record_access(
            db,
            subject_kind=kind,
            subject_id=subject_id,
            accessor_nrn=actor.person.nrn,
            accessor_login=actor.session.method,
            accessor_organisation=actor.context.bce,
            data=category,
            purpose=f"prefill of dossier {dossier.public_id} ({dossier.procedure_code})",
            dossier_id=dossier.id,
        )
    return data, prefilled


def create(db: Session, actor: Actor, procedure_code: str, supplied: dict[str, Any]) -> Dossier:
    """A new draft for the acting context, prefilled, with its ``created`` event."""
    found = catalog.version_of(db, procedure_code)
    if found is None:
        raise not_found(f"procedure {procedure_code!r}")
    procedure, version = found
    if not actor.context.covers(procedure.domain, write=True):
        raise Problem(
            "forbidden",
            f"acting for {actor.context.name}, you hold no role in the domain "
            f"{procedure.domain!r} of procedure {procedure.code}",
        )
    audience = version.definition.get("audience") or []
    applicant_audiences = (
        {"citizen"} if actor.context.kind == "person" else {"enterprise", "non_profit"}
    )
    if audience and not applicant_audiences & set(audience):
        raise Problem(
            "forbidden",
            f"procedure {procedure.code} is for {', '.join(audience)}, "
            f"not for {actor.context.name}",
        )
    kind, applicant_id, name = actor.applicant
    now = utcnow()
    title = (version.definition.get("title") or {}).get("fr") or procedure.code
    dossier = Dossier(
        procedure_code=procedure.code,
        procedure_version=version.version,
        title=str(title)[:300],
        status=states.DRAFT,
        applicant_kind=kind,
        applicant_id=applicant_id,
        applicant_name=name,
        created_by=actor.person.nrn,
        acting_as=actor.acting_as,
        data={},
        prefilled={},
        version=1,
        created_at=now,
        updated_at=now,
    )
    db.add(dossier)
    db.flush()
    form = version.definition.get("form") or {}
    dossier.data, dossier.prefilled = apply_prefill(db, actor, dossier, form, supplied)
    record_event(
        db, dossier, "created", actor_nrn=actor.person.nrn, acting_as=actor.acting_as, new="draft"
    )
    return dossier


# --- changing ----------------------------------------------------------------


def parse_if_match(value: str | None) -> int | None:
    """The version in an ``If-Match`` header (``"3"``, ``W/"3"``, ``*`` → None)."""
    if value is None:
        raise Problem(
            "precondition-required",
            'updating dossier data needs an If-Match header with the ETag (e.g. If-Match: "3")',
        )
    value = value.strip()
    if value == "*":
        return None
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise Problem("bad-request", 'If-Match must be an ETag such as "3"')
    return int(value)


def touch(dossier: Dossier) -> None:
    """Bump the version (ETag) and the update time."""
    dossier.version += 1
    dossier.updated_at = utcnow()


def update_data(
    db: Session, actor: Actor, dossier: Dossier, data: dict[str, Any], if_match: str | None
) -> Dossier:
    """Replace the data (draft or awaiting_complement only) if the ETag still matches."""
    expected = parse_if_match(if_match)
    if expected is not None and expected != dossier.version:
        raise Problem(
            "stale-version",
            f"the dossier changed since you read it (version {dossier.version}, "
            f"you sent {expected}); fetch it again and reapply your change",
            headers={"ETag": f'"{dossier.version}"'},
        )
    if dossier.status not in states.EDITABLE:
        raise conflict(f"the data of a dossier in status {dossier.status!r} cannot be changed")
    dossier.data = data
    touch(dossier)
    record_event(db, dossier, "data_updated", actor_nrn=actor.person.nrn, acting_as=actor.acting_as)
    return dossier


def problems_of(db: Session, dossier: Dossier) -> tuple[list[FieldError], list[str]]:
    """Field errors of the data and the required attachment kinds still missing."""
    found = catalog.version_of(db, dossier.procedure_code, dossier.procedure_version)
    assert found is not None, "a dossier's procedure version always exists (foreign key)"
    definition = found[1].definition
    errors = forms.validate(definition.get("form") or {}, dossier.data)
    present = {a.kind for a in attachments_of(db, dossier)}
    missing = [
        str(k["kind"])
        for k in definition.get("attachment_kinds") or []
        if k.get("required") and k.get("kind") not in present
    ]
    return errors, missing


def change_status(db: Session, actor: Actor, dossier: Dossier, new: str, event_type: str) -> None:
    """Move to ``new`` if the life cycle allows it (else 409), with its event."""
    old = dossier.status
    try:
        states.check_transition(old, new)
    except states.TransitionNotAllowed as exc:
        raise conflict(str(exc)) from None
    dossier.status = new
    touch(dossier)
    record_event(
        db,
        dossier,
        event_type,
        actor_nrn=actor.person.nrn,
        acting_as=actor.acting_as,
        old=old,
        new=new,
    )


def decision_due(db: Session, dossier: Dossier) -> dt.datetime | None:
    """Submission + the procedure's legal time (``legal_days``): when it must be decided."""
    found = catalog.version_of(db, dossier.procedure_code, dossier.procedure_version)
    days = found[1].definition.get("legal_days") if found else None
    if dossier.submitted_at is None or not isinstance(days, int):
        return None
    return dossier.submitted_at + dt.timedelta(days=days)


def submit_draft(db: Session, actor: Actor, dossier: Dossier) -> Dossier:
    """Move a complete draft to ``submitted`` (409 if no draft, 422 with every problem).

    Only the dossier's own change: the receipt and the payment that
    submission also owes are filed by ``portal.services.submission.submit``.
    """
    if dossier.status != states.DRAFT:
        raise conflict(f"only a draft can be submitted; this dossier is {dossier.status!r}")
    errors, missing = problems_of(db, dossier)
    if errors or missing:
        all_errors = [
            *errors,
            *(
                FieldError(f"/attachments/{kind}", "this attachment is required")
                for kind in missing
            ),
        ]
        raise Problem(
            "validation-failed",
            f"the dossier cannot be submitted: {len(all_errors)} problem(s) to fix",
            errors=all_errors,
        )
    change_status(db, actor, dossier, states.SUBMITTED, "submitted")
    dossier.submitted_at = dossier.updated_at
    dossier.decision_due_at = decision_due(db, dossier)
    return dossier


def withdraw(db: Session, actor: Actor, dossier: Dossier) -> Dossier:
    """Withdraw (from draft, submitted, awaiting_complement; else 409)."""
    change_status(db, actor, dossier, states.WITHDRAWN, "status_changed")
    return dossier


def events_of(db: Session, dossier: Dossier) -> list[DossierEvent]:
    """The dossier's events in time order."""
    query = (
        select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.id)
    )
    return list(db.scalars(query))
