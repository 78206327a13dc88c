"""Submitting a dossier: the dossier's change and what it owes the applicant.

Why a service of its own: moving a draft to ``submitted`` is the domain's
rule (``portal.domain.dossiers.submit_draft``), but submission also files the
sealed receipt in the applicant's vault (``portal.services.documents``) and,
when the procedure has a fee, a payment to make (``portal.services.payments``).
Those services record events through the domain, so the domain cannot call
them; this module does, in the caller's one transaction, so a dossier is
never submitted without its receipt.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.domain import dossiers
from portal.domain.authz import Actor
from portal.models import Dossier
from portal.services.documents import file_receipt
from portal.services.payments import create_payment


def submit(db: Session, actor: Actor, dossier: Dossier) -> Dossier:
    """Submit a complete draft: receipt in the vault, payment when there is a fee (no commit)."""
    dossiers.submit_draft(db, actor, dossier)
    dossier.receipt_document_id = file_receipt(db, dossier).id
    payment = create_payment(db, dossier)
    if payment is not None:
        dossier.payment_id = payment.id
    return dossier
