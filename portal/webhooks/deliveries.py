"""The delivery log of an endpoint, readable by the service's agents, and replay.

Why replay keeps the message id: a receiver may have processed a delivery
whose answer got lost; sending the same ``webhook-id`` again lets it
deduplicate. Replay starts a fresh retry schedule (``attempts`` counts the
tries since the delivery was last queued; ``attempt_log`` keeps them all).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.serialize import rfc3339
from portal.models import Person, WebhookAttempt, WebhookDelivery, utcnow
from portal.pagination import page
from portal.problems import Problem, not_found
from portal.services.cursors import int_key
from portal.webhooks.endpoints import get_endpoint

STATUSES = ("pending", "delivered", "dead")
_KIND = "webhook-deliveries"


def list_page(
    db: Session,
    person: Person,
    endpoint_id: str,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    """One page of the endpoint's deliveries, newest first (``id`` desc)."""
    endpoint = get_endpoint(db, person, endpoint_id, write=False)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    after = int_key(_KIND, cursor)
    if after is not None:
        query = query.where(WebhookDelivery.id < after)
    rows = list(db.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    logs = _attempts(db, [row.id for row in rows])
    items = [delivery_json(row, logs.get(row.id, [])) for row in rows]
    return page(items, [rows[-1].id] if more else None, _KIND)


def _attempts(db: Session, ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    found: dict[int, list[WebhookAttempt]] = defaultdict(list)
    if ids:
        query = (
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(ids))
            .order_by(WebhookAttempt.id)
        )
        for attempt in db.scalars(query):
            found[attempt.delivery_id].append(attempt)
    return found


def replay(db: Session, person: Person, delivery_id: str) -> WebhookDelivery:
    """Queue a delivery again, now, under the same message id (supervisors only)."""
    delivery = _visible_delivery(db, person, delivery_id)
    get_endpoint(db, person, delivery.endpoint_id, write=True)
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.locked_until = None
    delivery.delivered_at = None
    db.flush()
    return delivery


def _visible_delivery(db: Session, person: Person, delivery_id: str) -> WebhookDelivery:
    valid = delivery_id.isdigit() and len(delivery_id) < 19
    delivery = db.get(WebhookDelivery, int(delivery_id)) if valid else None
    if delivery is None:
        raise not_found(f"webhook delivery {delivery_id!r}")
    try:
        get_endpoint(db, person, delivery.endpoint_id, write=False)
    except Problem:
        raise not_found(f"webhook delivery {delivery_id!r}") from None
    return delivery


def attempts_of(db: Session, delivery: WebhookDelivery) -> list[WebhookAttempt]:
    """One delivery's attempts, oldest first."""
    return _attempts(db, [delivery.id]).get(delivery.id, [])


def delivery_json(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> dict[str, Any]:
    """A delivery of docs/api.md with its attempt log (oldest first)."""

    return {
        "id": str(delivery.id),
        "message_id": delivery.message_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "created_at": rfc3339(delivery.created_at),
        "next_attempt_at": rfc3339(delivery.next_attempt_at),
        "delivered_at": rfc3339(delivery.delivered_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "attempt_log": [
            {
                "at": rfc3339(a.at),
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in attempts
        ],
    }
