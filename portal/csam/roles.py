"""Roles held in an organisation: parsing a grant, granting, changing, revoking.

Why a role is found by key (person, domain, on_mandates, beneficiary): the
organisation holds at most one role per key, so a second grant of the same
key is a conflict and must be a change instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.csam.fields import Invalid, check_choice, check_org, check_person, int_id, parse_date
from portal.csam.locks import lock_organisations
from portal.csam.shapes import role_json
from portal.csam.trail import audit
from portal.csam.validity import today
from portal.domain.authz import DOMAINS
from portal.models import Person, Role
from portal.problems import FieldError, conflict, not_found

LEVELS = ("consult", "act", "manage")


@dataclass(frozen=True)
class RoleKey:
    """What identifies a role within an organisation (docs: person+domain(+beneficiary))."""

    nrn: str
    domain: str
    on_mandates: bool
    beneficiary: str | None


@dataclass(frozen=True)
class RoleSpec:
    """A validated grant."""

    key: RoleKey
    level: str
    valid_from: dt.date
    valid_until: dt.date | None


def parse_key(db: Session, raw: Mapping[str, Any], prefix: str) -> RoleKey:
    """A role's key fields, all errors at once (``Invalid``)."""
    errors: list[FieldError] = []
    nrn = check_person(db, raw.get("nrn"), f"{prefix}/nrn", errors)
    domain = check_choice(raw.get("domain"), DOMAINS, f"{prefix}/domain", errors)
    on_mandates = raw.get("on_mandates", False)
    if on_mandates is None:
        on_mandates = False
    if not isinstance(on_mandates, bool):
        errors.append(FieldError(f"{prefix}/on_mandates", "must be true or false"))
    beneficiary = None
    if raw.get("beneficiary") is not None:
        beneficiary = check_org(db, raw.get("beneficiary"), f"{prefix}/beneficiary", errors)
        if on_mandates is not True:
            errors.append(
                FieldError(f"{prefix}/beneficiary", "a beneficiary needs on_mandates: true")
            )
    if errors:
        raise Invalid(errors)
    assert nrn is not None and domain is not None
    return RoleKey(nrn, domain, bool(on_mandates), beneficiary)


def parse_grant(db: Session, raw: Mapping[str, Any], prefix: str = "") -> RoleSpec:
    """A grant's fields, all errors at once (``Invalid``)."""
    errors: list[FieldError] = []
    try:
        key: RoleKey | None = parse_key(db, raw, prefix)
    except Invalid as exc:
        errors.extend(exc.errors)
        key = None
    level = check_choice(raw.get("level"), LEVELS, f"{prefix}/level", errors)
    valid_from = parse_date(raw.get("valid_from"), f"{prefix}/valid_from", errors) or today()
    valid_until = parse_date(raw.get("valid_until"), f"{prefix}/valid_until", errors)
    if valid_until is not None and valid_until < valid_from:
        errors.append(FieldError(f"{prefix}/valid_until", "must not be before valid_from"))
    if errors:
        raise Invalid(errors)
    assert key is not None and level is not None
    return RoleSpec(key, level, valid_from, valid_until)


def parse_change(raw: Mapping[str, Any], valid_from: dt.date, prefix: str = "") -> dict[str, Any]:
    """The ``level`` / ``valid_until`` of a change; only the keys present."""
    errors: list[FieldError] = []
    fields: dict[str, Any] = {}
    if "level" in raw:
        fields["level"] = check_choice(raw["level"], LEVELS, f"{prefix}/level", errors)
    if "valid_until" in raw:
        until = parse_date(raw["valid_until"], f"{prefix}/valid_until", errors)
        if until is not None and until < valid_from:
            errors.append(FieldError(f"{prefix}/valid_until", "must not be before valid_from"))
        fields["valid_until"] = until
    if errors:
        raise Invalid(errors)
    return fields


def roles_of(db: Session, bce: str, person: str | None = None) -> list[Role]:
    """Every role row of the organisation (optionally of one person), in list order."""
    query = select(Role).where(Role.organisation_bce == bce)
    if person is not None:
        query = query.where(Role.person_nrn == person)
    rows = list(db.scalars(query))
    rows.sort(key=lambda r: (r.person_nrn, r.domain, r.on_mandates, r.beneficiary_bce or ""))
    return rows


def find_role(db: Session, bce: str, key: RoleKey) -> Role | None:
    """The role with this key, if any."""
    for role in db.scalars(
        select(Role).where(
            Role.organisation_bce == bce,
            Role.person_nrn == key.nrn,
            Role.domain == key.domain,
        )
    ):
        if bool(role.on_mandates) == key.on_mandates and role.beneficiary_bce == key.beneficiary:
            return role
    return None


def get_role(db: Session, bce: str, role_id: str) -> Role:
    """The organisation's role ``role_id``; 404 otherwise."""
    pk = int_id(role_id)
    role = db.get(Role, pk) if pk is not None else None
    if role is None or role.organisation_bce != bce:
        raise not_found(f"role {role_id}")
    return role


def grant_role(db: Session, actor: Person, bce: str, spec: RoleSpec) -> Role:
    """Create a role; 409 when its key already exists (use change)."""
    lock_organisations(db, bce)
    if find_role(db, bce, spec.key) is not None:
        raise conflict(
            f"{spec.key.nrn} already has a role in the domain {spec.key.domain} here; "
            "change its level or end date instead (PATCH the role)"
        )
    role = Role(
        person_nrn=spec.key.nrn,
        organisation_bce=bce,
        domain=spec.key.domain,
        level=spec.level,
        valid_from=spec.valid_from,
        valid_until=spec.valid_until,
        granted_by=actor.nrn,
        on_mandates=spec.key.on_mandates,
        beneficiary_bce=spec.key.beneficiary,
    )
    db.add(role)
    db.flush()
    audit(db, bce, actor, "role.grant", f"role:{role.id}", None, role_json(db, role))
    return role


def change_role(db: Session, actor: Person, bce: str, role: Role, fields: dict[str, Any]) -> Role:
    """Change level and/or end date of a role."""
    lock_organisations(db, bce)
    old = role_json(db, role)
    if "level" in fields:
        role.level = fields["level"]
    if "valid_until" in fields:
        role.valid_until = fields["valid_until"]
    db.flush()
    new = role_json(db, role)
    if new != old:
        audit(db, bce, actor, "role.change", f"role:{role.id}", old, new)
    return role


def revoke_role(db: Session, actor: Person, bce: str, role: Role) -> dict[str, Any]:
    """Delete a role (history stays in the audit trail); its JSON as it was."""
    lock_organisations(db, bce)
    old = role_json(db, role)
    audit(db, bce, actor, "role.revoke", f"role:{role.id}", old, None)
    db.delete(role)
    db.flush()
    return old
