"""Mandates between two organisations: propose, decide, revoke, list.

Why both sides get the audit entry: the beneficiary and the mandataire each
read only their own trail, and either may need to see who changed the mandate.
State transitions: proposed → active | refused (the other side decides),
proposed | active → revoked (either side); ``expired`` is computed
(:mod:`portal.csam.mandate_states`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.csam.fields import Invalid, check_org, int_id, parse_date, raise_invalid
from portal.csam.locks import lock_organisations
from portal.csam.mandate_states import mandate_state
from portal.csam.permissions import managed_organisations, manages, require_manager
from portal.csam.shapes import mandate_json
from portal.csam.trail import audit
from portal.csam.validity import today
from portal.domain.authz import DOMAINS
from portal.models import Mandate, Person, utcnow
from portal.problems import FieldError, Problem, conflict, not_found


def get_mandate(db: Session, person: Person, mandate_id: str) -> Mandate:
    """The mandate if the caller manages either side; 404 otherwise."""
    pk = int_id(mandate_id)
    mandate = db.get(Mandate, pk) if pk is not None else None
    if mandate is None or not (
        manages(db, person, mandate.beneficiary_bce) or manages(db, person, mandate.mandataire_bce)
    ):
        raise not_found(f"mandate {mandate_id}")
    return mandate


def list_mandates(
    db: Session, person: Person, organisation: str | None, state: str | None
) -> list[Mandate]:
    """Mandates where the organisation(s) the caller manages are either side."""
    if organisation is not None:
        require_manager(db, person, organisation)
        orgs = [organisation]
    else:
        orgs = managed_organisations(db, person)
    if not orgs:
        return []
    rows = db.scalars(
        select(Mandate)
        .where(Mandate.beneficiary_bce.in_(orgs) | Mandate.mandataire_bce.in_(orgs))
        .order_by(Mandate.id)
    )
    day = today()
    return [m for m in rows if state is None or mandate_state(m, day) == state]


def _both_sides(db: Session, actor: Person, mandate: Mandate, action: str, old: Any) -> None:
    new = mandate_json(db, mandate)
    side = mandate.beneficiary_bce
    if not manages(db, actor, side):
        side = mandate.mandataire_bce
    for bce in (mandate.beneficiary_bce, mandate.mandataire_bce):
        audit(db, bce, actor, action, f"mandate:{mandate.id}", old, new, acting_as=side)


def propose_mandate(db: Session, actor: Person, raw: Mapping[str, Any]) -> Mandate:
    """Propose a mandate from the side the caller manages."""
    errors: list[FieldError] = []
    beneficiary = check_org(db, raw.get("beneficiary"), "/beneficiary", errors)
    mandataire = check_org(db, raw.get("mandataire"), "/mandataire", errors)
    if beneficiary is not None and beneficiary == mandataire:
        errors.append(FieldError("/mandataire", "must differ from the beneficiary"))
    domains = raw.get("domains")
    if (
        not isinstance(domains, list)
        or not domains
        or any(d not in DOMAINS for d in domains)
        or len(set(domains)) != len(domains)
    ):
        errors.append(
            FieldError("/domains", f"must be distinct domains among {', '.join(DOMAINS)}")
        )
    valid_from = parse_date(raw.get("valid_from"), "/valid_from", errors) or today()
    valid_until = parse_date(raw.get("valid_until"), "/valid_until", errors)
    if valid_until is not None and (valid_until < valid_from or valid_until < today()):
        errors.append(FieldError("/valid_until", "must not be before valid_from or today"))
    if errors:
        raise raise_invalid(Invalid(errors))
    assert beneficiary is not None and mandataire is not None
    if manages(db, actor, beneficiary):
        proposer = beneficiary
    elif manages(db, actor, mandataire):
        proposer = mandataire
    else:
        raise Problem(
            "forbidden", "only a GAP or legal representative of either side may propose a mandate"
        )
    lock_organisations(db, beneficiary, mandataire)
    for other in db.scalars(
        select(Mandate).where(
            Mandate.beneficiary_bce == beneficiary, Mandate.mandataire_bce == mandataire
        )
    ):
        if mandate_state(other) in ("proposed", "active"):
            raise conflict(f"mandate {other.id} between these organisations is {other.state}")
    mandate = Mandate(
        beneficiary_bce=beneficiary,
        mandataire_bce=mandataire,
        domains=list(domains),  # type: ignore[arg-type]
        valid_from=valid_from,
        valid_until=valid_until,
        state="proposed",
        proposed_by=proposer,
        created_at=utcnow(),
    )
    db.add(mandate)
    db.flush()
    _both_sides(db, actor, mandate, "mandate.propose", None)
    return mandate


def decide_mandate(db: Session, actor: Person, mandate: Mandate, *, accept: bool) -> Mandate:
    """Accept or refuse: only the side that did not propose, only while proposed."""
    other = (
        mandate.mandataire_bce
        if mandate.proposed_by == mandate.beneficiary_bce
        else mandate.beneficiary_bce
    )
    if not manages(db, actor, other):
        raise Problem(
            "forbidden", "only a GAP or legal representative of the other side may decide"
        )
    db.refresh(mandate, with_for_update=True)
    if mandate.state != "proposed":
        raise conflict(f"mandate {mandate.id} is {mandate_state(mandate)}, not proposed")
    old = mandate_json(db, mandate)
    mandate.state = "active" if accept else "refused"
    mandate.decided_at = utcnow()
    mandate.decided_by = actor.nrn
    db.flush()
    _both_sides(db, actor, mandate, "mandate.accept" if accept else "mandate.refuse", old)
    return mandate


def revoke_mandate(db: Session, actor: Person, mandate: Mandate) -> Mandate:
    """Either side ends a proposed or active mandate; it stops working at once."""
    db.refresh(mandate, with_for_update=True)
    state = mandate_state(mandate)
    if state not in ("proposed", "active"):
        raise conflict(f"mandate {mandate.id} is {state}: nothing to revoke")
    old = mandate_json(db, mandate)
    mandate.state = "revoked"
    mandate.decided_at = utcnow()
    mandate.decided_by = actor.nrn
    db.flush()
    _both_sides(db, actor, mandate, "mandate.revoke", old)
    return mandate
