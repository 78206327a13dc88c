"""Which dossiers, documents and payments a caller may see.

Why one module: every periphery endpoint answers 404 — never 403 — for
another person's dossier (docs/api.md), and the rule must be the same for a
dossier, its attachments, its messages, its documents and its payments. The
rule is H3's visibility (`portal.authz.visibility`): the applicant must be
the acting context, and a context reached through roles or mandates only
sees procedures of its domains.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.deps import Actor
from portal.models import Dossier, Procedure, parse_dossier_id
from portal.problems import not_found


def procedure_domain(db: Session, dossier: Dossier) -> str | None:
    """The CSAM domain of the dossier's procedure."""
    return db.scalar(select(Procedure.domain).where(Procedure.code == dossier.procedure_code))


def may_see(db: Session, actor: Actor, dossier: Dossier) -> bool:
    """Whether the actor, in its acting context, may see this dossier."""
    seen = actor.visibility
    if (dossier.applicant_kind, dossier.applicant_id) != (seen.applicant_kind, seen.applicant_id):
        return False
    return seen.domains is None or procedure_domain(db, dossier) in seen.domains


def visible_dossier(db: Session, actor: Actor, public_id: str) -> Dossier:
    """The dossier with this public id if the actor may see it; else 404."""
    parsed = parse_dossier_id(public_id)
    dossier = db.get(Dossier, parsed[1]) if parsed else None
    if dossier is None or dossier.public_id != public_id or not may_see(db, actor, dossier):
        raise not_found(f"dossier {public_id}")
    return dossier


def visible_dossier_by_pk(db: Session, actor: Actor, pk: int | None, what: str) -> Dossier:
    """The owning dossier of a document/payment/attachment, or 404 for `what`."""
    dossier = db.get(Dossier, pk) if pk is not None else None
    if dossier is None or not may_see(db, actor, dossier):
        raise not_found(what)
    return dossier
