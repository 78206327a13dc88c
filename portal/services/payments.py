"""Fees of procedures: the payment created on submit, and the sandbox bank.

Why a random structured communication: the communication is how the bank
statement is matched to the dossier, so it must be unique; drawing its ten
digits at random (with the mod-97 check from `be_identifiers`) also
keeps it from revealing how many payments exist or letting anyone guess
another's reference. Paying goes to the handling service's IBAN.

A payment is `pending` until the bank reports it (`mark_paid`; in sandbox
mode `POST /sandbox/payments/{id}/pay` plays the bank) and `expired` once
its due date has passed unpaid — computed when read, so no job is needed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from be_identifiers import structured_ref
from portal.domain.dossiers import record_event
from portal.domain.serialize import rfc3339
from portal.models import Dossier, Payment, Procedure, ProcedureVersion, Service, utcnow
from portal.problems import conflict
from portal.services import epc

PAYMENT_DAYS = 30  # time to pay before the payment expires
_REF_ATTEMPTS = 20


def fee_of(db: Session, dossier: Dossier) -> Decimal | None:
    """The fee of the dossier's procedure version, or None when free."""
    version = db.get(ProcedureVersion, (dossier.procedure_code, dossier.procedure_version))
    fee = (version.definition if version is not None else {}).get("fee")
    if not fee:
        return None
    try:
        amount = Decimal(str(fee["amount"]))
    except (KeyError, InvalidOperation):
        return None
    return amount if amount > 0 else None


def _unique_reference(db: Session) -> str:
    for _ in range(_REF_ATTEMPTS):
        candidate = structured_ref(secrets.randbelow(10**10))
        if db.scalar(select(Payment.id).where(Payment.structured_ref == candidate)) is None:
            return candidate
    raise RuntimeError("could not draw a free structured communication")


def create_payment(session: Session, dossier: Dossier) -> Payment | None:
    """A pending payment for a submitted dossier whose procedure has a fee (no commit)."""
    amount = fee_of(session, dossier)
    if amount is None:
        return None
    procedure = session.get(Procedure, dossier.procedure_code)
    service = session.get(Service, procedure.service_code) if procedure else None
    if service is None:
        raise RuntimeError(f"procedure {dossier.procedure_code} has no handling service")
    now = utcnow()
    payment = Payment(
        dossier_id=dossier.id,
        payer_kind=dossier.applicant_kind,
        payer_id=dossier.applicant_id,
        amount=amount,
        currency="EUR",
        iban=service.iban.replace(" ", ""),
        bic=service.bic,
        beneficiary=(service.name.get("fr") or service.code)[: epc.MAX_NAME],
        structured_ref=_unique_reference(session),
        status="pending",
        created_at=now,
        expires_at=now + dt.timedelta(days=PAYMENT_DAYS),
    )
    session.add(payment)
    session.flush()  # the id goes into the dossier and the event
    dossier.payment_id = payment.id
    record_event(
        session,
        dossier,
        "payment",
        actor_nrn=dossier.created_by,
        acting_as=dossier.acting_as,
        new="pending",
        detail=payment.id,
    )
    return payment


def effective_status(payment: Payment, now: dt.datetime | None = None) -> str:
    """`expired` for a pending payment past its due date, else the stored status."""
    now = now or utcnow()
    if payment.status == "pending" and payment.expires_at and payment.expires_at <= now:
        return "expired"
    return payment.status


def mark_paid(db: Session, payment: Payment, dossier: Dossier, actor_nrn: str) -> Payment:
    """Record the bank's confirmation (no commit); 409 unless pending."""
    status = effective_status(payment)
    if status != "pending":
        raise conflict(f"payment {payment.id} is {status}, it cannot be paid")
    payment.status, payment.paid_at = "paid", utcnow()
    record_event(
        db,
        dossier,
        "payment",
        actor_nrn=actor_nrn,
        acting_as=dossier.acting_as,
        old="pending",
        new="paid",
        detail=payment.id,
    )
    return payment


def epc_payload(payment: Payment) -> str:
    """The EPC QR payload text for the payment."""
    return epc.encode(
        epc.EpcTransfer(
            bic=payment.bic,
            name=payment.beneficiary,
            iban=payment.iban,
            amount=Decimal(payment.amount),
            structured_ref=payment.structured_ref,
        )
    )


def payment_json(payment: Payment, dossier: Dossier) -> dict[str, Any]:
    """``Payment`` of docs/api.md."""
    body: dict[str, Any] = {
        "id": payment.id,
        "dossier_id": dossier.public_id,
        "amount": f"{Decimal(payment.amount):.2f}",
        "currency": payment.currency,
        "iban": payment.iban,
        "bic": payment.bic,
        "beneficiary": payment.beneficiary,
        "structured_ref": payment.structured_ref,
        "status": effective_status(payment),
        "created_at": rfc3339(payment.created_at),
        "epc_qr": epc_payload(payment),
    }
    if payment.paid_at is not None:
        body["paid_at"] = rfc3339(payment.paid_at)
    return body
