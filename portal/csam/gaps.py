"""GAP designations (gestionnaires d'accès principaux) of an organisation.

Why "never the last one": without a GAP (and a legal representative who no
longer acts) nobody could manage roles any more — the organisation would be
locked out of its own access management.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.csam.fields import Invalid, check_person, raise_invalid
from portal.csam.locks import lock_organisations
from portal.csam.shapes import gap_json
from portal.csam.trail import audit
from portal.csam.validity import is_current, today
from portal.models import GapDesignation, Person
from portal.problems import FieldError, conflict, not_found


def current_gaps(db: Session, bce: str) -> list[GapDesignation]:
    """The organisation's GAPs today, by NRN."""
    day = today()
    rows = db.scalars(
        select(GapDesignation)
        .where(GapDesignation.organisation_bce == bce)
        .order_by(GapDesignation.person_nrn)
    )
    return [g for g in rows if is_current(g.valid_from, g.valid_until, day)]


def designate_gap(db: Session, actor: Person, bce: str, raw_nrn: Any) -> GapDesignation:
    """A legal representative designates a (co-)GAP; 409 if already one."""
    errors: list[FieldError] = []
    nrn = check_person(db, raw_nrn, "/nrn", errors)
    if nrn is None:
        raise raise_invalid(Invalid(errors))
    lock_organisations(db, bce)
    if any(g.person_nrn == nrn for g in current_gaps(db, bce)):
        raise conflict(f"{nrn} is already a GAP of organisation {bce}")
    gap = GapDesignation(
        organisation_bce=bce, person_nrn=nrn, designated_by=actor.nrn, valid_from=today()
    )
    db.add(gap)
    db.flush()
    audit(db, bce, actor, "gap.designate", f"gap:{nrn}", None, gap_json(db, gap))
    return gap


def remove_gap(db: Session, actor: Person, bce: str, nrn: str) -> None:
    """Remove a GAP; never the last one (nobody could manage roles any more)."""
    lock_organisations(db, bce)
    gaps = current_gaps(db, bce)
    mine = [g for g in gaps if g.person_nrn == nrn]
    if not mine:
        raise not_found(f"GAP {nrn} of organisation {bce}")
    if len(gaps) == len(mine):
        raise conflict(f"{nrn} is the last GAP of organisation {bce}: designate another GAP first")
    for gap in mine:
        audit(db, bce, actor, "gap.remove", f"gap:{nrn}", gap_json(db, gap), None)
        db.delete(gap)
    db.flush()
