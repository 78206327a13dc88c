"""The person's in-app inbox (docs/api.md "Notifications")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from portal.auth.deps import CurrentPrincipal, DbSession
from portal.models import Dossier, Notification, dossier_public_id
from portal.pagination import DEFAULT_LIMIT, Cursor, Limit, page
from portal.problems import not_found
from portal.services.cursors import int_key
from portal.services.notifications import notification_json

router = APIRouter(prefix="/notifications", tags=["notifications"])
_KIND = "notifications"


@router.get("", summary="My notifications (newest first)")
def list_notifications(
    principal: CurrentPrincipal,
    db: DbSession,
    unread: Annotated[bool, Query(description="only those not yet read")] = False,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The inbox belongs to the person, whatever context they act in."""
    query = select(Notification).where(Notification.recipient_nrn == principal.person.nrn)
    if unread:
        query = query.where(Notification.read.is_(False))
    after = int_key(_KIND, cursor)
    if after is not None:
        query = query.where(Notification.id < after)
    rows = list(db.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    created = {
        d.id: d.created_at
        for d in db.scalars(select(Dossier).where(Dossier.id.in_({r.dossier_id for r in rows})))
    }
    items = [
        notification_json(
            r, dossier_public_id(r.dossier_id, created[r.dossier_id]) if r.dossier_id else None
        )
        for r in rows
    ]
    return page(items, [rows[-1].id] if more else None, _KIND)


@router.post("/{notification_id}/read", status_code=204, summary="Mark a notification read")
def mark_read(notification_id: str, principal: CurrentPrincipal, db: DbSession) -> Response:
    """204; 404 for another person's notification."""
    valid = notification_id.isdigit() and len(notification_id) < 19
    note = db.get(Notification, int(notification_id)) if valid else None
    if note is None or note.recipient_nrn != principal.person.nrn:
        raise not_found(f"notification {notification_id}")
    note.read = True
    db.commit()
    return Response(status_code=204)
