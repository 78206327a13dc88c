"""The CSAM audit trail: writing an entry and reading a page of it.

Why entries are written in the caller's transaction: a change and its trace
commit or roll back together, so the trail never lies.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import CsamAuditEntry, Person, utcnow


def audit(
    db: Session,
    bce: str,
    actor: Person,
    action: str,
    target: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    acting_as: str | None = None,
) -> None:
    """Record one change in ``bce``'s trail (same transaction as the change)."""
    db.add(
        CsamAuditEntry(
            organisation_bce=bce,
            at=utcnow(),
            actor_nrn=actor.nrn,
            acting_as=acting_as or bce,
            action=action,
            target=target,
            old=old,
            new=new,
        )
    )


def audit_page(db: Session, bce: str, before: int | None, limit: int) -> list[CsamAuditEntry]:
    """Up to ``limit + 1`` entries of the trail, newest first, older than ``before``."""
    query = select(CsamAuditEntry).where(CsamAuditEntry.organisation_bce == bce)
    if before is not None:
        query = query.where(CsamAuditEntry.id < before)
    return list(db.scalars(query.order_by(CsamAuditEntry.id.desc()).limit(limit + 1)))
