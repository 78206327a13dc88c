"""Which dossiers, documents and payments a caller may see, and may change.

Why one module: every periphery endpoint answers 404 — never 403 — for
another's dossier (docs/api.md), and the rule must be the same for a
dossier, its attachments, its messages, its documents and its payments. The
rule is the dossier core's (`portal.domain.dossiers.get_visible`, built on
`portal.domain.authz.visibility`): the applicant must be the acting context, and a
context reached through roles or mandates only sees its domains.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.authz import Actor
from portal.domain.dossiers import get_visible
from portal.models import Dossier, Procedure
from portal.problems import Problem, not_found

__all__ = ["get_visible", "may_see", "procedure_domain", "require_write", "visible_by_pk"]


def procedure_domain(db: Session, dossier: Dossier) -> str | None:
    """The CSAM domain of the dossier's procedure."""
    return db.scalar(select(Procedure.domain).where(Procedure.code == dossier.procedure_code))


def may_see(db: Session, actor: Actor, dossier: Dossier) -> bool:
    """Whether the actor, in its acting context, may see this dossier."""
    seen = actor.visibility
    if (dossier.applicant_kind, dossier.applicant_id) != (seen.applicant_kind, seen.applicant_id):
        return False
    return seen.domains is None or procedure_domain(db, dossier) in seen.domains


def visible_by_pk(db: Session, actor: Actor, pk: int | None, what: str) -> Dossier:
    """The dossier owning a document/payment/attachment, or 404 naming `what`."""
    dossier = db.get(Dossier, pk) if pk is not None else None
    if dossier is None or not may_see(db, actor, dossier):
        raise not_found(what)
    return dossier


def require_write(db: Session, actor: Actor, dossier: Dossier) -> None:
    """403 when the context may only consult this dossier (a `consult` role)."""
    domain = procedure_domain(db, dossier) or ""
    if not actor.context.covers(domain, write=True):
        raise Problem(
            "forbidden",
            f"your role for {actor.context.name} only allows consulting {domain} dossiers",
        )
