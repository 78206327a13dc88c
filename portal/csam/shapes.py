"""JSON shapes of CSAM objects (docs/api.md ``Gap``, ``Role``, ``Mandate``, audit item).

Why shared: the API renders them and the audit trail stores them as
``old`` / ``new``, so both must use the very same shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from portal.csam.mandate_states import mandate_state
from portal.models import CsamAuditEntry, GapDesignation, Mandate, Organisation, Person, Role


def _who(db: Session, nrn: str | None) -> dict[str, str] | None:
    if nrn is None:
        return None
    person = db.get(Person, nrn)
    return {"nrn": nrn, "name": person.name if person is not None else nrn}


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def gap_json(db: Session, gap: GapDesignation) -> dict[str, Any]:
    """``Gap``."""
    who = _who(db, gap.person_nrn) or {}
    return {
        "nrn": gap.person_nrn,
        "name": who.get("name"),
        "valid_from": _day(gap.valid_from),
        "valid_until": _day(gap.valid_until),
        "designated_by": _who(db, gap.designated_by),
    }


def role_json(db: Session, role: Role) -> dict[str, Any]:
    """``Role``."""
    who = _who(db, role.person_nrn) or {}
    return {
        "id": str(role.id),
        "nrn": role.person_nrn,
        "name": who.get("name"),
        "domain": role.domain,
        "level": role.level,
        "valid_from": _day(role.valid_from),
        "valid_until": _day(role.valid_until),
        "on_mandates": bool(role.on_mandates),
        "beneficiary": role.beneficiary_bce,
        "granted_by": _who(db, role.granted_by),
    }


def _org_ref(db: Session, bce: str) -> dict[str, str]:
    org = db.get(Organisation, bce)
    return {"bce": bce, "name": org.name if org is not None else bce}


def mandate_json(db: Session, mandate: Mandate) -> dict[str, Any]:
    """``Mandate``."""
    return {
        "id": str(mandate.id),
        "beneficiary": _org_ref(db, mandate.beneficiary_bce),
        "mandataire": _org_ref(db, mandate.mandataire_bce),
        "domains": list(mandate.domains),
        "valid_from": _day(mandate.valid_from),
        "valid_until": _day(mandate.valid_until),
        "state": mandate_state(mandate),
        "proposed_by": mandate.proposed_by,
        "created_at": _time(mandate.created_at),
        "decided_at": _time(mandate.decided_at),
        "decided_by": _who(db, mandate.decided_by),
    }


def audit_json(db: Session, entry: CsamAuditEntry) -> dict[str, Any]:
    """One audit trail item."""
    return {
        "id": str(entry.id),
        "at": _time(entry.at),
        "actor": _who(db, entry.actor_nrn),
        "acting_as": entry.acting_as,
        "action": entry.action,
        "target": entry.target,
        "old": entry.old,
        "new": entry.new,
    }
