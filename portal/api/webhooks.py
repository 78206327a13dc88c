"""`/agent/webhooks`: a service's webhook endpoints and their delivery log (docs/api.md).

The caller acts as themself (``X-Acting-As`` is ignored, as everywhere in
the back office): supervisors of the service manage endpoints and replay
deliveries, its agents read them, anyone else gets 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from portal.auth.deps import CurrentPrincipal, DbSession
from portal.pagination import DEFAULT_LIMIT, Cursor, Limit
from portal.problems import Problem
from portal.webhooks import deliveries, endpoints


def agents_only(request: Request, principal: CurrentPrincipal, db: DbSession) -> None:
    """404 before anything else for a caller who works in no service."""
    if not endpoints.roles_of(db, principal.person):
        raise Problem("not-found", f"no such path: {request.url.path}")


router = APIRouter(
    prefix="/agent/webhooks", tags=["agent: webhooks"], dependencies=[Depends(agents_only)]
)


class NewEndpoint(BaseModel):
    """``POST /agent/webhooks`` body."""

    model_config = ConfigDict(extra="forbid")

    service: str = Field(min_length=1, max_length=40)
    url: str = Field(min_length=1, max_length=endpoints.MAX_URL)
    event_types: list[Annotated[str, Field(max_length=60)]] = Field(max_length=20)
    description: str = Field(default="", max_length=300)


@router.post("", status_code=201, summary="Register a webhook endpoint (supervisors)")
def create_endpoint(
    body: NewEndpoint, request: Request, principal: CurrentPrincipal, db: DbSession
) -> dict[str, Any]:
    """201 with the secret, shown only in this answer."""
    endpoint = endpoints.register(
        db,
        principal.person,
        service=body.service,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        sandbox=request.app.state.settings.sandbox,
    )
    db.commit()
    return endpoints.endpoint_json(endpoint, with_secret=True)


@router.get("", summary="The webhook endpoints of my services")
def list_endpoints(
    principal: CurrentPrincipal,
    db: DbSession,
    service: Annotated[str | None, Query(max_length=40, description="one service code")] = None,
) -> dict[str, Any]:
    """Oldest first; secrets are never listed."""
    rows = endpoints.list_for(db, principal.person, service)
    return {"items": [endpoints.endpoint_json(row) for row in rows]}


@router.delete("/{endpoint_id}", status_code=204, summary="Delete a webhook endpoint")
def delete_endpoint(endpoint_id: str, principal: CurrentPrincipal, db: DbSession) -> Response:
    """204; its pending deliveries and delivery log go with it."""
    endpoints.delete(db, principal.person, endpoint_id)
    db.commit()
    return Response(status_code=204)


@router.get("/{endpoint_id}/deliveries", summary="An endpoint's deliveries (newest first)")
def list_deliveries(
    endpoint_id: str,
    principal: CurrentPrincipal,
    db: DbSession,
    status: Annotated[Literal["pending", "delivered", "dead"] | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Each delivery with its attempt log."""
    return deliveries.list_page(
        db, principal.person, endpoint_id, status=status, cursor=cursor, limit=limit
    )


@router.post("/deliveries/{delivery_id}/replay", status_code=202, summary="Send a delivery again")
def replay_delivery(
    delivery_id: str, request: Request, principal: CurrentPrincipal, db: DbSession
) -> dict[str, Any]:
    """202: queued now, same message id (receivers deduplicate)."""
    delivery = deliveries.replay(db, principal.person, delivery_id)
    answer = deliveries.delivery_json(delivery, deliveries.attempts_of(db, delivery))
    db.commit()
    dispatcher = getattr(request.app.state, "webhook_dispatcher", None)
    if dispatcher is not None:
        dispatcher.wake()
    return answer
