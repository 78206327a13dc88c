"""``/auth/tokens`` and ``/organisations/{bce}/tokens``: personal access tokens.

Thin: the rules are in portal/auth/access_tokens.py and the scope of each
operation in portal/auth/scopes.py. Every route here is for card (or device)
login sessions only — a token never creates, lists or revokes tokens.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from portal import csam
from portal.api.schemas import problems
from portal.auth import access_tokens
from portal.auth.deps import CurrentPrincipal, DbSession
from portal.domain import authz
from portal.models import AccessToken, AuthSession, utcnow
from portal.problems import Problem, not_found

router = APIRouter(tags=["auth"])
_BCE = re.compile(r"\d{10}")

Scope = Literal[
    "dossiers:read",
    "dossiers:write",
    "roles:read",
    "roles:write",
    "mandates:write",
    "agent:read",
    "agent:write",
]


class TokenRequest(BaseModel):
    """What a new token is called, may do, for whom, and for how long."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=7)]
    acting_as: Annotated[str, Field(max_length=20, description='"me" or a BCE number')] = "me"
    expires_in_days: Annotated[int, Field(ge=1, description="at most 365")] = 90


def card_session(principal: CurrentPrincipal) -> AuthSession:
    """The card login session of the caller; 403 for an access token.

    Hook: when logins say how they were opened (card or device), this is
    where a token's creation is limited to those kinds of session.
    """
    if not isinstance(principal.session, AuthSession):
        raise Problem(
            "forbidden",
            "this operation needs a card login session (monespace auth login), not an access token",
        )
    return principal.session


@router.post(
    "/auth/tokens",
    status_code=201,
    summary="Create a personal access token (shown once)",
    responses=problems(400, 401, 403, 422),
)
def create_token(body: TokenRequest, principal: CurrentPrincipal, db: DbSession) -> dict[str, Any]:
    """The secret is in this answer only; the portal keeps its SHA-256."""
    session = card_session(principal)
    if body.expires_in_days > access_tokens.MAX_DAYS:
        raise Problem("bad-request", "an access token may live one year (365 days) at most")
    acting_as = _context(body.acting_as)
    secret, row = access_tokens.create(
        db,
        session,
        name=body.name.strip() or body.name,
        scopes=body.scopes,
        acting_as=acting_as,
        expires_at=utcnow() + dt.timedelta(days=body.expires_in_days),
    )
    db.commit()
    return {"token": secret, **access_tokens.public_json(row)}


def _context(value: str) -> str:
    acting_as = value.strip().replace(".", "").replace(" ", "") or authz.ME
    if acting_as.lower() == authz.ME:
        return authz.ME
    if not _BCE.fullmatch(acting_as):
        raise Problem("bad-request", 'acting_as must be "me" or a 10-digit enterprise (BCE) number')
    return acting_as


@router.get("/auth/tokens", summary="My personal access tokens", responses=problems(401, 403))
def list_tokens(principal: CurrentPrincipal, db: DbSession) -> dict[str, Any]:
    """Newest first, revoked and expired ones too (never their secret)."""
    card_session(principal)
    rows = access_tokens.of_person(db, principal.person)
    return {"items": [access_tokens.public_json(r) for r in rows]}


@router.delete(
    "/auth/tokens/{token_id}",
    status_code=204,
    summary="Revoke one of my personal access tokens",
    responses=problems(401, 403, 404),
)
def revoke_token(token_id: str, principal: CurrentPrincipal, db: DbSession) -> Response:
    """Idempotent; another person's token is a 404."""
    card_session(principal)
    row = db.get(AccessToken, token_id)
    if row is None or row.person_nrn != principal.person.nrn:
        raise not_found(f"access token {token_id}")
    access_tokens.revoke(db, row, principal.person)
    db.commit()
    return Response(status_code=204)


@router.get(
    "/organisations/{bce}/tokens",
    summary="The access tokens acting for an organisation",
    responses=problems(401, 403, 404),
)
def organisation_tokens(bce: str, principal: CurrentPrincipal, db: DbSession) -> dict[str, Any]:
    """GAPs and legal representatives see every token acting for their organisation."""
    card_session(principal)
    csam.require_manager(db, principal.person, bce)
    rows = access_tokens.of_organisation(db, bce)
    return {"items": [access_tokens.public_json(r) for r in rows]}


@router.delete(
    "/organisations/{bce}/tokens/{token_id}",
    status_code=204,
    summary="Revoke an access token acting for an organisation",
    responses=problems(401, 403, 404),
)
def revoke_organisation_token(
    bce: str, token_id: str, principal: CurrentPrincipal, db: DbSession
) -> Response:
    """GAPs and legal representatives; the organisation's audit trail shows it."""
    card_session(principal)
    csam.require_manager(db, principal.person, bce)
    row = db.get(AccessToken, token_id)
    if row is None or row.acting_as != bce:
        raise not_found(f"access token {token_id}")
    access_tokens.revoke(db, row, principal.person)
    db.commit()
    return Response(status_code=204)
