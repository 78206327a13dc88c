""" "Mes données": what the authentic sources hold, and who read it (docs/api.md).

Transparency is the point: the data subject sees every read of their data by
someone else (a prefill on a mandataire's dossier, an agent opening a
dossier), with the purpose. An organisation's log is shown to those who act
for it in their own right (legal representatives, role holders) — not to a
mandataire firm, which is itself one of the readers.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from portal.auth.deps import CurrentActor, DbSession
from portal.db import writes
from portal.domain.accesslog import record_access
from portal.domain.authz import Actor
from portal.domain.serialize import actor_json, address_json, person_json, rfc3339
from portal.models import AccessLogEntry, Dossier, LegalRep, Organisation, Person, dossier_public_id
from portal.pagination import DEFAULT_LIMIT, Cursor, Limit, page
from portal.problems import Problem, not_found
from portal.services.cursors import int_key

router = APIRouter(prefix="/mydata", tags=["mydata"])
_KIND = "access-log"


def _organisation_json(db: DbSession, org: Organisation) -> dict[str, Any]:
    reps = db.scalars(
        select(Person)
        .join(LegalRep, LegalRep.person_nrn == Person.nrn)
        .where(LegalRep.organisation_bce == org.bce)
    )
    return {
        "bce": org.bce,
        "name": org.name,
        "legal_form": org.legal_form,
        "kind": org.kind,
        "seat": address_json(org.seat),
        "nace": org.nace,
        "size_fte": org.size_fte,
        "founded": org.founded.isoformat() if org.founded else None,
        "legal_reps": [actor_json(p) for p in reps],
    }


@router.get("", summary="What the authentic sources hold on the acting context")
@writes  # a mandataire's read is logged in its client's access log
def my_data(actor: CurrentActor, db: DbSession) -> dict[str, Any]:
    """`{"source": "rn", "person"}` for me, `{"source": "bce", "organisation"}` otherwise."""
    if actor.context.kind == "person":
        person = actor.person
        body = person_json(person)
        body["birth_place"] = person.birth_place
        body["household"] = person.household or []
        return {"source": "rn", "person": body}
    org = db.get(Organisation, actor.context.bce)
    if org is None:
        raise not_found(f"organisation {actor.context.bce}")
    if actor.context.via == "mandate":  # a third party reads the client's register data
        record_access(
            db,
            subject_kind="organisation",
            subject_id=org.bce,
            accessor_nrn=actor.person.nrn,
            accessor_login=actor.session.method,
            data="organisation",
            purpose="consultation des données BCE par un mandataire (Mon Espace)",
        )
        db.commit()
    return {"source": "bce", "organisation": _organisation_json(db, org)}


def _subject(actor: Actor) -> tuple[str, str]:
    if actor.context.kind == "person":
        return "person", actor.person.nrn
    if actor.context.via == "mandate":
        raise Problem(
            "forbidden",
            "a mandataire cannot read its client's access log; ask the organisation",
        )
    assert actor.context.bce is not None
    return "organisation", actor.context.bce


def entry_json(entry: AccessLogEntry, accessor: Person, dossier: Dossier | None) -> dict[str, Any]:
    """One access-log item of docs/api.md."""
    body: dict[str, Any] = {
        "id": str(entry.id),
        "at": rfc3339(entry.at),
        "accessor": actor_json(accessor),
        "data": entry.data,
        "purpose": entry.purpose,
    }
    if entry.accessor_organisation:
        body["accessor_organisation"] = entry.accessor_organisation
    if entry.accessor_login:
        body["accessor_login"] = entry.accessor_login
    if dossier is not None:
        body["dossier_id"] = dossier_public_id(dossier.id, dossier.created_at)
    return body


@router.get("/access-log", summary="Who read the acting context's data, and why")
def access_log(
    actor: CurrentActor, db: DbSession, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Newest first (id desc)."""
    kind, subject_id = _subject(actor)
    query = (
        select(AccessLogEntry, Person, Dossier)
        .join(Person, Person.nrn == AccessLogEntry.accessor_nrn)
        .outerjoin(Dossier, Dossier.id == AccessLogEntry.dossier_id)
        .where(AccessLogEntry.subject_kind == kind, AccessLogEntry.subject_id == subject_id)
    )
    after = int_key(_KIND, cursor)
    if after is not None:
        query = query.where(AccessLogEntry.id < after)
    rows = db.execute(query.order_by(AccessLogEntry.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [entry_json(entry, person, dossier) for entry, person, dossier in rows]
    return page(items, [rows[-1][0].id] if more else None, _KIND)
