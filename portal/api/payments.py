"""Payments of fees, and the sandbox bank (docs/api.md "Payments")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import Select, select

from portal.auth.deps import CurrentActor, DbSession
from portal.domain.authz import Actor
from portal.domain.dossiers import within_domains
from portal.models import Dossier, Payment
from portal.pagination import DEFAULT_LIMIT, Cursor, Limit
from portal.problems import not_found
from portal.services.cursors import newest_first_page
from portal.services.payments import mark_paid, payment_json

router = APIRouter(tags=["payments"])
_KIND = "payments"


def _payable(actor: Actor) -> Select[Payment, Dossier]:
    """Payments of the acting context's dossiers (within its domains)."""
    seen = actor.visibility
    query = (
        select(Payment, Dossier)
        .join(Dossier, Dossier.id == Payment.dossier_id)
        .where(Payment.payer_kind == seen.applicant_kind, Payment.payer_id == seen.applicant_id)
    )
    return within_domains(query, seen)


def _visible_payment(db: DbSession, actor: Actor, payment_id: str) -> tuple[Payment, Dossier]:
    row = db.execute(_payable(actor).where(Payment.id == payment_id)).first()
    if row is None:
        raise not_found(f"payment {payment_id}")
    return row[0], row[1]


@router.get("/payments", summary="The acting context's payments")
def list_payments(
    actor: CurrentActor, db: DbSession, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Newest first (`created_at` desc, `id` desc)."""
    return newest_first_page(db, _payable(actor), Payment, _KIND, cursor, limit, payment_json)


@router.get("/payments/{payment_id}", summary="One payment, with its EPC QR payload")
def get_payment(payment_id: str, actor: CurrentActor, db: DbSession) -> dict[str, Any]:
    """The `Payment`; 404 for a payment of another context."""
    return payment_json(*_visible_payment(db, actor, payment_id))


@router.post("/sandbox/payments/{payment_id}/pay", summary="Sandbox only: play the bank")
def sandbox_pay(
    payment_id: str, request: Request, actor: CurrentActor, db: DbSession
) -> dict[str, Any]:
    """Mark a pending payment paid, as the bank's statement would (404 outside sandbox)."""
    if not request.app.state.settings.sandbox:
        raise not_found("sandbox endpoint")
    payment, dossier = _visible_payment(db, actor, payment_id)
    mark_paid(db, payment, dossier, actor.person.nrn)
    db.commit()
    return payment_json(payment, dossier)
