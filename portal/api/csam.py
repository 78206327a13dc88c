"""CSAM endpoints: organisations, GAPs, roles (and change sets), mandates, audit.

Thin on purpose: parse, call :mod:`portal.csam`, commit, render. The caller
acts as themself here (``X-Acting-As`` is ignored: CSAM rights are the
person's own), so these routes depend on the principal, not on an actor.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from sqlalchemy import select

from portal import csam
from portal.api.schemas import problems
from portal.auth import access_tokens
from portal.auth.card_required import require_card
from portal.auth.deps import CurrentPrincipal, DbSession
from portal.domain import authz
from portal.domain.serialize import address_json
from portal.models import Person
from portal.pagination import DEFAULT_LIMIT, Cursor, Limit, page
from portal.problems import Problem
from portal.services.cursors import int_key

router = APIRouter(tags=["csam"])
_AUDIT = "csam-audit"
_ROLE_READERS = frozenset({"gap", "legal_rep", "manage"})
JsonBody = Annotated[dict[str, Any], Body(description="see docs/api.md, CSAM")]
Bce = Annotated[str, "10-digit BCE number"]


@router.get(
    "/organisations/{bce}",
    summary="An organisation with its legal reps, GAPs and my rights",
    responses=problems(401, 404),
)
def get_organisation(bce: Bce, principal: CurrentPrincipal, db: DbSession) -> dict[str, Any]:
    """Visible to legal representatives, GAPs and role holders; 404 to anyone else."""
    org, held = csam.visible_organisation(db, principal.person, bce)
    reps = sorted(r.person_nrn for r in org.legal_reps)
    people = {p.nrn: p.name for p in db.scalars(select(Person).where(Person.nrn.in_(reps)))}
    return {
        "bce": org.bce,
        "name": org.name,
        "legal_form": org.legal_form,
        "kind": org.kind,
        "seat": address_json(org.seat),
        "legal_reps": [{"nrn": nrn, "name": people.get(nrn, nrn)} for nrn in reps],
        "gaps": [_gap_short(csam.gap_json(db, g)) for g in csam.current_gaps(db, bce)],
        "my_rights": sorted(held),
    }


def _gap_short(gap: dict[str, Any]) -> dict[str, Any]:
    return {k: gap[k] for k in ("nrn", "name", "valid_from", "valid_until")}


def _legal_rep(db: DbSession, principal: CurrentPrincipal, bce: str) -> None:
    csam.require(db, principal.person, bce, frozenset({"legal_rep"}), "a legal representative")


@router.get("/organisations/{bce}/gaps", summary="The GAPs", responses=problems(401, 403, 404))
def list_gaps(bce: Bce, principal: CurrentPrincipal, db: DbSession) -> dict[str, Any]:
    """Legal representatives only."""
    _legal_rep(db, principal, bce)
    return {"items": [csam.gap_json(db, g) for g in csam.current_gaps(db, bce)]}


@router.post(
    "/organisations/{bce}/gaps",
    status_code=201,
    summary="Designate a GAP",
    responses=problems(401, 403, 404, 409, 422),
)
def designate_gap(
    bce: Bce, body: JsonBody, principal: CurrentPrincipal, db: DbSession
) -> dict[str, Any]:
    """``{"nrn"}`` → the new Gap."""
    _legal_rep(db, principal, bce)
    gap = csam.designate_gap(db, principal.person, bce, body.get("nrn"))
    db.commit()
    return csam.gap_json(db, gap)


@router.delete(
    "/organisations/{bce}/gaps/{nrn}",
    status_code=204,
    summary="Remove a GAP (never the last one)",
    responses=problems(401, 403, 404, 409),
)
def remove_gap(bce: Bce, nrn: str, principal: CurrentPrincipal, db: DbSession) -> Response:
    """409 when ``nrn`` is the last GAP."""
    _legal_rep(db, principal, bce)
    csam.remove_gap(db, principal.person, bce, nrn)
    db.commit()
    return Response(status_code=204)


@router.get("/organisations/{bce}/roles", summary="The roles", responses=problems(401, 403, 404))
def list_roles(
    bce: Bce,
    principal: CurrentPrincipal,
    db: DbSession,
    person: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    """Ordered by nrn, domain; GAPs, legal reps and manage-level role holders."""
    csam.require(db, principal.person, bce, _ROLE_READERS, "a GAP, legal rep or role manager")
    return {"items": [csam.role_json(db, r) for r in csam.roles_of(db, bce, person)]}


@router.post(
    "/organisations/{bce}/roles",
    status_code=201,
    summary="Grant a role",
    responses=problems(401, 403, 404, 409, 422),
)
def grant_role(
    bce: Bce, body: JsonBody, principal: CurrentPrincipal, db: DbSession
) -> dict[str, Any]:
    """409 when the person already has this role (use PATCH)."""
    csam.require_manager(db, principal.person, bce)
    try:
        spec = csam.parse_grant(db, body)
    except csam.Invalid as exc:
        raise csam.raise_invalid(exc) from None
    role = csam.grant_role(db, principal.person, bce, spec)
    db.commit()
    return csam.role_json(db, role)


@router.patch(
    "/organisations/{bce}/roles/{role_id}",
    summary="Change a role's level or end date",
    responses=problems(401, 403, 404, 422),
)
def change_role(
    bce: Bce, role_id: str, body: JsonBody, principal: CurrentPrincipal, db: DbSession
) -> dict[str, Any]:
    """``{"level"?, "valid_until"?}``; ``valid_until: null`` removes the end date."""
    csam.require_manager(db, principal.person, bce)
    role = csam.get_role(db, bce, role_id)
    try:
        fields = csam.parse_change(body, role.valid_from)
    except csam.Invalid as exc:
        raise csam.raise_invalid(exc) from None
    csam.change_role(db, principal.person, bce, role, fields)
    db.commit()
    return csam.role_json(db, role)


@router.delete(
    "/organisations/{bce}/roles/{role_id}",
    status_code=204,
    summary="Revoke a role",
    responses=problems(401, 403, 404),
)
def revoke_role(bce: Bce, role_id: str, principal: CurrentPrincipal, db: DbSession) -> Response:
    """Takes effect on the holder's next request."""
    csam.require_manager(db, principal.person, bce)
    csam.revoke_role(db, principal.person, bce, csam.get_role(db, bce, role_id))
    db.commit()
    return Response(status_code=204)


@router.post(
    "/organisations/{bce}/roles:apply",
    summary="Apply a change set of roles atomically",
    responses=problems(401, 403, 404, 422),
)
def apply_roles(
    bce: Bce, body: JsonBody, principal: CurrentPrincipal, db: DbSession
) -> dict[str, Any]:
    """All or nothing; ``dry_run`` checks and reports without writing."""
    csam.require_manager(db, principal.person, bce)
    changes = body.get("changes")
    dry_run = body.get("dry_run", False)
    if not isinstance(changes, list) or not isinstance(dry_run, bool):
        raise Problem(
            "validation-failed",
            "the body needs a list of changes and a boolean dry_run",
            errors=[{"pointer": "/changes", "message": "must be a list of changes"}],
        )
    result = csam.apply_changes(db, principal.person, bce, changes, dry_run=dry_run)
    if result["applied"]:
        db.commit()
    return result


@router.get("/mandates", summary="Mandates of organisations I manage", responses=problems(401, 404))
def list_mandates(
    principal: CurrentPrincipal,
    db: DbSession,
    organisation: Annotated[str | None, Query(max_length=20)] = None,
    state: Annotated[str | None, Query(description=" | ".join(csam.MANDATE_STATES))] = None,
) -> dict[str, Any]:
    """Either side; ordered by id."""
    if state is not None and state not in csam.MANDATE_STATES:
        raise Problem("bad-request", f"state must be one of {', '.join(csam.MANDATE_STATES)}")
    if principal.token is not None:  # a token sees its own organisation's mandates only
        access_tokens.confine(principal, organisation or principal.token.acting_as)
        if principal.token.acting_as == authz.ME:
            return {"items": []}
        organisation = principal.token.acting_as
    mandates = csam.list_mandates(db, principal.person, organisation, state)
    return {"items": [csam.mandate_json(db, m) for m in mandates]}


@router.post(
    "/mandates",
    status_code=201,
    summary="Propose a mandate",
    responses=problems(401, 403, 409, 422),
)
def propose_mandate(
    request: Request, body: JsonBody, principal: CurrentPrincipal, db: DbSession
) -> dict[str, Any]:
    """``proposed_by`` is the side the caller manages; may need a card login."""
    access_tokens.confine(
        principal, *(str(body.get(k) or "") for k in ("beneficiary", "mandataire"))
    )
    require_card(request.app.state.settings, principal.session, MANDATE_SIGN)
    mandate = csam.propose_mandate(db, principal.person, body)
    db.commit()
    return csam.mandate_json(db, mandate)


@router.get("/mandates/{mandate_id}", summary="One mandate", responses=problems(401, 404))
def get_mandate(mandate_id: str, principal: CurrentPrincipal, db: DbSession) -> dict[str, Any]:
    """Visible to the GAPs and legal reps of either side."""
    return csam.mandate_json(db, _mandate(db, principal, mandate_id))


def _mandate(db: DbSession, principal: CurrentPrincipal, mandate_id: str) -> Any:
    """The mandate if the caller may see it, and an access token acts for one of its sides."""
    mandate = csam.get_mandate(db, principal.person, mandate_id)
    access_tokens.confine(principal, mandate.beneficiary_bce, mandate.mandataire_bce)
    return mandate


#: The act a card login may be required for (portal/auth/card_required.py):
#: proposing or accepting a mandate binds the organisation.
MANDATE_SIGN = "mandate-sign"


def _decide(mandate_id: str, principal: CurrentPrincipal, db: DbSession, accept: bool) -> Any:
    mandate = _mandate(db, principal, mandate_id)
    csam.decide_mandate(db, principal.person, mandate, accept=accept)
    db.commit()
    return csam.mandate_json(db, mandate)


@router.post(
    "/mandates/{mandate_id}/accept",
    summary="Accept a proposed mandate (other side)",
    responses=problems(401, 403, 404, 409),
)
def accept_mandate(
    request: Request, mandate_id: str, principal: CurrentPrincipal, db: DbSession
) -> dict[str, Any]:
    """Only the side that did not propose; may need a card login."""
    require_card(request.app.state.settings, principal.session, MANDATE_SIGN)
    return dict(_decide(mandate_id, principal, db, True))


@router.post(
    "/mandates/{mandate_id}/refuse",
    summary="Refuse a proposed mandate (other side)",
    responses=problems(401, 403, 404, 409),
)
def refuse_mandate(mandate_id: str, principal: CurrentPrincipal, db: DbSession) -> dict[str, Any]:
    """Only the side that did not propose."""
    return dict(_decide(mandate_id, principal, db, False))


@router.post(
    "/mandates/{mandate_id}/revoke",
    summary="Revoke a mandate (either side)",
    responses=problems(401, 404, 409),
)
def revoke_mandate(mandate_id: str, principal: CurrentPrincipal, db: DbSession) -> dict[str, Any]:
    """From proposed or active; the mandataire's staff lose access at once."""
    mandate = _mandate(db, principal, mandate_id)
    csam.revoke_mandate(db, principal.person, mandate)
    db.commit()
    return csam.mandate_json(db, mandate)


@router.get(
    "/organisations/{bce}/audit",
    summary="Audit trail of GAP, role and mandate changes",
    responses=problems(400, 401, 403, 404),
)
def audit_trail(
    bce: Bce,
    principal: CurrentPrincipal,
    db: DbSession,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Newest first; GAPs and legal representatives."""
    csam.require_manager(db, principal.person, bce)
    rows = csam.audit_page(db, bce, int_key(_AUDIT, cursor), limit)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [csam.audit_json(db, entry) for entry in rows]
    return page(items, [rows[-1].id] if more else None, _AUDIT)
