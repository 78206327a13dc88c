"""Who may act on an organisation's CSAM settings.

Rights on an organisation: ``legal_rep`` (BCE), ``gap`` (a current GAP
designation), ``manage`` / ``role`` (a current role held in the organisation,
direct or on its mandates, of level manage or any). No right at all → 404,
so a stranger never learns more.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.csam.fields import BCE
from portal.csam.gaps import current_gaps
from portal.csam.validity import is_current, today
from portal.models import GapDesignation, LegalRep, Organisation, Person, Role
from portal.problems import Problem, not_found

_MANAGERS = frozenset({"gap", "legal_rep"})


def rights(db: Session, person: Person, bce: str) -> set[str]:
    """The person's own CSAM rights on organisation ``bce`` today."""
    day = today()
    found: set[str] = set()
    if db.get(LegalRep, (bce, person.nrn)) is not None:
        found.add("legal_rep")
    if any(g.person_nrn == person.nrn for g in current_gaps(db, bce)):
        found.add("gap")
    for role in db.scalars(
        select(Role).where(Role.person_nrn == person.nrn, Role.organisation_bce == bce)
    ):
        if is_current(role.valid_from, role.valid_until, day):
            found.add("role")
            if role.level == "manage":
                found.add("manage")
    return found


def visible_organisation(db: Session, person: Person, bce: str) -> tuple[Organisation, set[str]]:
    """The organisation and the caller's rights; 404 when they hold none."""
    org = db.get(Organisation, bce) if BCE.fullmatch(bce) else None
    held = rights(db, person, bce) if org is not None else set()
    if org is None or not held:
        raise not_found(f"organisation {bce}")
    return org, held


def require(db: Session, person: Person, bce: str, allowed: frozenset[str], what: str) -> None:
    """404 without any right, 403 without one of ``allowed``."""
    _org, held = visible_organisation(db, person, bce)
    if not held & allowed:
        raise Problem("forbidden", f"only {what} of organisation {bce} may do this")


def require_manager(db: Session, person: Person, bce: str) -> None:
    """GAPs and legal representatives manage roles, mandates and read the audit."""
    require(db, person, bce, _MANAGERS, "a GAP or legal representative")


def manages(db: Session, person: Person, bce: str) -> bool:
    """Whether the person is GAP or legal representative of ``bce``."""
    return bool(rights(db, person, bce) & _MANAGERS)


def managed_organisations(db: Session, person: Person) -> list[str]:
    """Every organisation the person is GAP or legal representative of."""
    day = today()
    found = set(
        db.scalars(select(LegalRep.organisation_bce).where(LegalRep.person_nrn == person.nrn))
    )
    for gap in db.scalars(select(GapDesignation).where(GapDesignation.person_nrn == person.nrn)):
        if is_current(gap.valid_from, gap.valid_until, day):
            found.add(gap.organisation_bce)
    return sorted(found)
