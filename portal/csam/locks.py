"""Per-organisation serialisation of CSAM writes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Organisation


def lock_organisations(db: Session, *bces: str) -> None:
    """Serialise CSAM writes per organisation (row lock, in BCE order).

    Why: rules such as "never remove the last GAP" or "one role per key" read
    then write; two concurrent requests on PostgreSQL (READ COMMITTED) could
    both pass the check. SQLite transactions already start with BEGIN
    IMMEDIATE, where ``FOR UPDATE`` is a no-op.
    """
    db.execute(
        select(Organisation.bce)
        .where(Organisation.bce.in_(sorted(set(bces))))
        .order_by(Organisation.bce)
        .with_for_update()
    )
