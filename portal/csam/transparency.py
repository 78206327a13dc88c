"""Third-party reads through a mandate, shown to the beneficiary."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.domain.accesslog import record_access
from portal.domain.authz import Actor
from portal.models import Dossier


def log_mandataire_read(db: Session, actor: Actor, dossier: Dossier) -> None:
    """A mandataire's staff opening a client's dossier lands in the client's access log.

    Why here: reading through a mandate is a CSAM right the beneficiary gave
    away and must be able to watch ("mes données"); a person's own reads
    or those of the organisation's own staff are not third-party reads.
    """
    if actor.context.via != "mandate" or actor.context.bce is None:
        return
    record_access(
        db,
        subject_kind="organisation",
        subject_id=actor.context.bce,
        accessor_nrn=actor.person.nrn,
        accessor_login=actor.session.method,
        data="dossier",
        purpose=f"consultation du dossier {dossier.public_id} par un mandataire (Mon Espace)",
        dossier_id=dossier.id,
    )
    db.commit()
