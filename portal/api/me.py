"""``GET /me``: the logged-in person and the contexts they may act in."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from portal.api.schemas import MeOut, problems
from portal.auth.deps import CurrentPrincipal, DbSession
from portal.domain import authz
from portal.domain.serialize import person_json, rfc3339

router = APIRouter(tags=["me"])


@router.get(
    "/me",
    summary="Who am I, and for whom may I act",
    response_model=None,
    responses={200: {"model": MeOut}, **problems(401)},
)
def me(principal: CurrentPrincipal, db: DbSession) -> dict[str, Any]:
    """The person, their contexts (self first), and when the session ends."""
    contexts = authz.contexts_for(db, principal.person)
    return {
        "person": person_json(principal.person),
        "contexts": [c.to_json() for c in contexts],
        "session_expires_at": rfc3339(principal.session.expires_at),
        "session_method": principal.session.method,
    }
