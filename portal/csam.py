"""CSAM rules: who may designate GAPs, grant roles and decide mandates.

Why one module: the API (``portal/api/csam.py``) only parses and renders;
every rule of docs/api.md "CSAM" lives here so it is checked the same way for
a single request and for an atomic change set (``roles:apply``). Who may
*act* for an organisation stays in :mod:`portal.authz`, which reads the rows
written here at every request — so a revoked role or mandate stops working
on the very next request, with no cache to invalidate.

Rights on an organisation: ``legal_rep`` (BCE), ``gap`` (a current GAP
designation), ``manage`` / ``role`` (a current role held in the organisation,
direct or on its mandates, of level manage or any). No right at all → 404,
so a stranger never learns more.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accesslog import record_access
from portal.auth.deps import Actor
from portal.authz import DOMAINS
from portal.identifiers import is_valid_nrn
from portal.models import (
    CsamAuditEntry,
    Dossier,
    GapDesignation,
    LegalRep,
    Mandate,
    Organisation,
    Person,
    Role,
    utcnow,
)
from portal.problems import FieldError, Problem, conflict, not_found

LEVELS = ("consult", "act", "manage")
MANDATE_STATES = ("proposed", "active", "refused", "revoked", "expired")
_BCE = re.compile(r"\d{10}", re.ASCII)
_ID = re.compile(r"[1-9]\d{0,11}", re.ASCII)
_MANAGERS = frozenset({"gap", "legal_rep"})


def today() -> dt.date:
    """The portal's current day (UTC): validity dates are whole days."""
    return utcnow().date()


def _int_id(value: str) -> int | None:
    """The integer behind a public id ("12"), None for anything else."""
    return int(value) if _ID.fullmatch(value) else None


def _current(valid_from: dt.date, valid_until: dt.date | None, day: dt.date) -> bool:
    return valid_from <= day and (valid_until is None or day <= valid_until)


# --- rights ------------------------------------------------------------------


def rights(db: Session, person: Person, bce: str) -> set[str]:
    """The person's own CSAM rights on organisation ``bce`` today."""
    day = today()
    found: set[str] = set()
    if db.get(LegalRep, (bce, person.nrn)) is not None:
        found.add("legal_rep")
    if any(g.person_nrn == person.nrn for g in current_gaps(db, bce)):
        found.add("gap")
    for role in db.scalars(
        select(Role).where(Role.person_nrn == person.nrn, Role.organisation_bce == bce)
    ):
        if _current(role.valid_from, role.valid_until, day):
            found.add("role")
            if role.level == "manage":
                found.add("manage")
    return found


def visible_organisation(db: Session, person: Person, bce: str) -> tuple[Organisation, set[str]]:
    """The organisation and the caller's rights; 404 when they hold none."""
    org = db.get(Organisation, bce) if _BCE.fullmatch(bce) else None
    held = rights(db, person, bce) if org is not None else set()
    if org is None or not held:
        raise not_found(f"organisation {bce}")
    return org, held


def require(db: Session, person: Person, bce: str, allowed: frozenset[str], what: str) -> None:
    """404 without any right, 403 without one of ``allowed``."""
    _org, held = visible_organisation(db, person, bce)
    if not held & allowed:
        raise Problem("forbidden", f"only {what} of organisation {bce} may do this")


def require_manager(db: Session, person: Person, bce: str) -> None:
    """GAPs and legal representatives manage roles, mandates and read the audit."""
    require(db, person, bce, _MANAGERS, "a GAP or legal representative")


def manages(db: Session, person: Person, bce: str) -> bool:
    """Whether the person is GAP or legal representative of ``bce``."""
    return bool(rights(db, person, bce) & _MANAGERS)


def managed_organisations(db: Session, person: Person) -> list[str]:
    """Every organisation the person is GAP or legal representative of."""
    day = today()
    found = set(
        db.scalars(select(LegalRep.organisation_bce).where(LegalRep.person_nrn == person.nrn))
    )
    for gap in db.scalars(select(GapDesignation).where(GapDesignation.person_nrn == person.nrn)):
        if _current(gap.valid_from, gap.valid_until, day):
            found.add(gap.organisation_bce)
    return sorted(found)


def lock_organisations(db: Session, *bces: str) -> None:
    """Serialise CSAM writes per organisation (row lock, in BCE order).

    Why: rules such as "never remove the last GAP" or "one role per key" read
    then write; two concurrent requests on PostgreSQL (READ COMMITTED) could
    both pass the check. SQLite transactions already start with BEGIN
    IMMEDIATE, where ``FOR UPDATE`` is a no-op.
    """
    db.execute(
        select(Organisation.bce)
        .where(Organisation.bce.in_(sorted(set(bces))))
        .order_by(Organisation.bce)
        .with_for_update()
    )


# --- audit -------------------------------------------------------------------


def audit(
    db: Session,
    bce: str,
    actor: Person,
    action: str,
    target: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    acting_as: str | None = None,
) -> None:
    """Record one change in ``bce``'s trail (same transaction as the change)."""
    db.add(
        CsamAuditEntry(
            organisation_bce=bce,
            at=utcnow(),
            actor_nrn=actor.nrn,
            acting_as=acting_as or bce,
            action=action,
            target=target,
            old=old,
            new=new,
        )
    )


# --- JSON shapes (docs/api.md) -----------------------------------------------


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


def mandate_state(mandate: Mandate, day: dt.date | None = None) -> str:
    """The stored state, except ``expired`` for an active one past ``valid_until``."""
    day = day or today()
    if mandate.state == "active" and mandate.valid_until is not None and mandate.valid_until < day:
        return "expired"
    return mandate.state


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


# --- field parsing (shared by single requests and change sets) ---------------


class Invalid(Exception):
    """Field errors of one request or change (pointers relative to ``prefix``)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


def raise_invalid(exc: Invalid) -> Problem:
    """The 422 problem for ``exc``."""
    count = len(exc.errors)
    return Problem(
        "validation-failed",
        f"the request has {count} invalid field{'s' if count != 1 else ''}",
        errors=exc.errors,
    )


def _parse_date(raw: Any, pointer: str, errors: list[FieldError]) -> dt.date | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    errors.append(FieldError(pointer, "must be a date YYYY-MM-DD"))
    return None


def _check_person(db: Session, raw: Any, pointer: str, errors: list[FieldError]) -> str | None:
    nrn = raw.replace(".", "").replace("-", "").replace(" ", "") if isinstance(raw, str) else None
    if nrn is None or not is_valid_nrn(nrn):
        errors.append(FieldError(pointer, "must be a valid national register number (11 digits)"))
        return None
    if db.get(Person, nrn) is None:
        errors.append(FieldError(pointer, f"no person {nrn} in the national register"))
        return None
    return nrn


def _check_org(db: Session, raw: Any, pointer: str, errors: list[FieldError]) -> str | None:
    bce = raw.replace(".", "").replace(" ", "") if isinstance(raw, str) else None
    if bce is None or not _BCE.fullmatch(bce) or db.get(Organisation, bce) is None:
        errors.append(FieldError(pointer, "must be the BCE number of a known organisation"))
        return None
    return bce


def _check_choice(
    raw: Any, choices: Sequence[str], pointer: str, errors: list[FieldError]
) -> str | None:
    if raw not in choices:
        errors.append(FieldError(pointer, f"must be one of {', '.join(choices)}"))
        return None
    return str(raw)


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


def _parse_key(db: Session, raw: Mapping[str, Any], prefix: str) -> RoleKey:
    errors: list[FieldError] = []
    nrn = _check_person(db, raw.get("nrn"), f"{prefix}/nrn", errors)
    domain = _check_choice(raw.get("domain"), DOMAINS, f"{prefix}/domain", errors)
    on_mandates = raw.get("on_mandates", False)
    if on_mandates is None:
        on_mandates = False
    if not isinstance(on_mandates, bool):
        errors.append(FieldError(f"{prefix}/on_mandates", "must be true or false"))
    beneficiary = None
    if raw.get("beneficiary") is not None:
        beneficiary = _check_org(db, raw.get("beneficiary"), f"{prefix}/beneficiary", errors)
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
        key: RoleKey | None = _parse_key(db, raw, prefix)
    except Invalid as exc:
        errors.extend(exc.errors)
        key = None
    level = _check_choice(raw.get("level"), LEVELS, f"{prefix}/level", errors)
    valid_from = _parse_date(raw.get("valid_from"), f"{prefix}/valid_from", errors) or today()
    valid_until = _parse_date(raw.get("valid_until"), f"{prefix}/valid_until", errors)
    if valid_until is not None and valid_until < valid_from:
        errors.append(FieldError(f"{prefix}/valid_until", "must not be before valid_from"))
    if errors:
        raise Invalid(errors)
    assert key is not None and level is not None
    return RoleSpec(key, level, valid_from, valid_until)


# --- GAPs --------------------------------------------------------------------


def current_gaps(db: Session, bce: str) -> list[GapDesignation]:
    """The organisation's GAPs today, by NRN."""
    day = today()
    rows = db.scalars(
        select(GapDesignation)
        .where(GapDesignation.organisation_bce == bce)
        .order_by(GapDesignation.person_nrn)
    )
    return [g for g in rows if _current(g.valid_from, g.valid_until, day)]


def designate_gap(db: Session, actor: Person, bce: str, raw_nrn: Any) -> GapDesignation:
    """A legal representative designates a (co-)GAP; 409 if already one."""
    errors: list[FieldError] = []
    nrn = _check_person(db, raw_nrn, "/nrn", errors)
    if nrn is None:
        raise raise_invalid(Invalid(errors))
    lock_organisations(db, bce)
    if any(g.person_nrn == nrn for g in current_gaps(db, bce)):
        raise conflict(f"{nrn} is already a GAP of organisation {bce}")
    gap = GapDesignation(
        organisation_bce=bce, person_nrn=nrn, designated_by=actor.nrn, valid_from=today()
    )
    db.add(gap)
    db.flush()
    audit(db, bce, actor, "gap.designate", f"gap:{nrn}", None, gap_json(db, gap))
    return gap


def remove_gap(db: Session, actor: Person, bce: str, nrn: str) -> None:
    """Remove a GAP; never the last one (nobody could manage roles any more)."""
    lock_organisations(db, bce)
    gaps = current_gaps(db, bce)
    mine = [g for g in gaps if g.person_nrn == nrn]
    if not mine:
        raise not_found(f"GAP {nrn} of organisation {bce}")
    if len(gaps) == len(mine):
        raise conflict(f"{nrn} is the last GAP of organisation {bce}: designate another GAP first")
    for gap in mine:
        audit(db, bce, actor, "gap.remove", f"gap:{nrn}", gap_json(db, gap), None)
        db.delete(gap)
    db.flush()


# --- roles -------------------------------------------------------------------


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
    pk = _int_id(role_id)
    role = db.get(Role, pk) if pk is not None else None
    if role is None or role.organisation_bce != bce:
        raise not_found(f"role {role_id}")
    return role


def grant_role(db: Session, actor: Person, bce: str, spec: RoleSpec) -> Role:
    """Create a role; 409 when its key already exists (use change)."""
    lock_organisations(db, bce)
    if find_role(db, bce, spec.key) is not None:
        raise conflict(
            f"{spec.key.nrn} already has a {spec.key.domain} role here: change it instead"
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


def parse_change(raw: Mapping[str, Any], valid_from: dt.date, prefix: str = "") -> dict[str, Any]:
    """The ``level`` / ``valid_until`` of a change; only the keys present."""
    errors: list[FieldError] = []
    fields: dict[str, Any] = {}
    if "level" in raw:
        fields["level"] = _check_choice(raw["level"], LEVELS, f"{prefix}/level", errors)
    if "valid_until" in raw:
        until = _parse_date(raw["valid_until"], f"{prefix}/valid_until", errors)
        if until is not None and until < valid_from:
            errors.append(FieldError(f"{prefix}/valid_until", "must not be before valid_from"))
        fields["valid_until"] = until
    if errors:
        raise Invalid(errors)
    return fields


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


def _locate(db: Session, bce: str, raw: Mapping[str, Any], prefix: str) -> Role:
    if raw.get("id") is not None:
        role_id = str(raw["id"])
        pk = _int_id(role_id)
        role = db.get(Role, pk) if pk is not None else None
        if role is None or role.organisation_bce != bce:
            raise Invalid([FieldError(f"{prefix}/id", f"no role {role_id} in this organisation")])
        return role
    key = _parse_key(db, raw, prefix)
    role = find_role(db, bce, key)
    if role is None:
        raise Invalid([FieldError(f"{prefix}/nrn", f"{key.nrn} has no such {key.domain} role")])
    return role


def _apply_one(
    db: Session, actor: Person, bce: str, raw: Mapping[str, Any], prefix: str
) -> dict[str, Any]:
    op = raw.get("op")
    if op == "grant":
        spec = parse_grant(db, raw, prefix)
        if find_role(db, bce, spec.key) is not None:
            message = f"{spec.key.nrn} already has this {spec.key.domain} role: use change"
            raise Invalid([FieldError(f"{prefix}/domain", message)])
        return role_json(db, grant_role(db, actor, bce, spec))
    if op == "change":
        role = _locate(db, bce, raw, prefix)
        fields = parse_change(raw, role.valid_from, prefix)
        return role_json(db, change_role(db, actor, bce, role, fields))
    if op == "revoke":
        return revoke_role(db, actor, bce, _locate(db, bce, raw, prefix))
    raise Invalid([FieldError(f"{prefix}/op", "must be one of grant, change, revoke")])


def apply_changes(
    db: Session, actor: Person, bce: str, changes: Sequence[Any], *, dry_run: bool
) -> dict[str, Any]:
    """Apply a change set in order, all or nothing.

    Each change runs against the state left by the previous ones (so a
    revoke then grant of one key works). Any invalid change → 422 with every
    error and the per-change results, after a rollback; ``dry_run`` rolls
    back a valid set too. The caller commits only when ``applied`` is true.
    """
    lock_organisations(db, bce)
    results: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for index, raw in enumerate(changes):
        prefix = f"/changes/{index}"
        op = raw.get("op") if isinstance(raw, Mapping) else None
        try:
            if not isinstance(raw, Mapping):
                raise Invalid([FieldError(prefix, "must be an object")])
            role = _apply_one(db, actor, bce, raw, prefix)
            results.append({"index": index, "op": op, "ok": True, "role": role})
        except Invalid as exc:
            errors.extend(exc.errors)
            results.append({"index": index, "op": op, "ok": False, "error": str(exc)})
    if errors or dry_run:
        db.rollback()
    if errors:
        count = sum(1 for r in results if not r["ok"])
        raise Problem(
            "validation-failed",
            f"{count} of {len(results)} changes are invalid; nothing was applied",
            errors=errors,
            extra={"results": results},
        )
    return {"applied": not dry_run, "results": results}


# --- mandates ----------------------------------------------------------------


def get_mandate(db: Session, person: Person, mandate_id: str) -> Mandate:
    """The mandate if the caller manages either side; 404 otherwise."""
    pk = _int_id(mandate_id)
    mandate = db.get(Mandate, pk) if pk is not None else None
    if mandate is None or not (
        manages(db, person, mandate.beneficiary_bce) or manages(db, person, mandate.mandataire_bce)
    ):
        raise not_found(f"mandate {mandate_id}")
    return mandate


def list_mandates(
    db: Session, person: Person, organisation: str | None, state: str | None
) -> list[Mandate]:
    """Mandates where the organisation(s) the caller manages are either side."""
    if organisation is not None:
        require_manager(db, person, organisation)
        orgs = [organisation]
    else:
        orgs = managed_organisations(db, person)
    if not orgs:
        return []
    rows = db.scalars(
        select(Mandate)
        .where(Mandate.beneficiary_bce.in_(orgs) | Mandate.mandataire_bce.in_(orgs))
        .order_by(Mandate.id)
    )
    day = today()
    return [m for m in rows if state is None or mandate_state(m, day) == state]


def _both_sides(db: Session, actor: Person, mandate: Mandate, action: str, old: Any) -> None:
    new = mandate_json(db, mandate)
    side = mandate.beneficiary_bce
    if not manages(db, actor, side):
        side = mandate.mandataire_bce
    for bce in (mandate.beneficiary_bce, mandate.mandataire_bce):
        audit(db, bce, actor, action, f"mandate:{mandate.id}", old, new, acting_as=side)


def propose_mandate(db: Session, actor: Person, raw: Mapping[str, Any]) -> Mandate:
    """Propose a mandate from the side the caller manages."""
    errors: list[FieldError] = []
    beneficiary = _check_org(db, raw.get("beneficiary"), "/beneficiary", errors)
    mandataire = _check_org(db, raw.get("mandataire"), "/mandataire", errors)
    if beneficiary is not None and beneficiary == mandataire:
        errors.append(FieldError("/mandataire", "must differ from the beneficiary"))
    domains = raw.get("domains")
    if (
        not isinstance(domains, list)
        or not domains
        or any(d not in DOMAINS for d in domains)
        or len(set(domains)) != len(domains)
    ):
        errors.append(
            FieldError("/domains", f"must be distinct domains among {', '.join(DOMAINS)}")
        )
    valid_from = _parse_date(raw.get("valid_from"), "/valid_from", errors) or today()
    valid_until = _parse_date(raw.get("valid_until"), "/valid_until", errors)
    if valid_until is not None and (valid_until < valid_from or valid_until < today()):
        errors.append(FieldError("/valid_until", "must not be before valid_from or today"))
    if errors:
        raise raise_invalid(Invalid(errors))
    assert beneficiary is not None and mandataire is not None
    if manages(db, actor, beneficiary):
        proposer = beneficiary
    elif manages(db, actor, mandataire):
        proposer = mandataire
    else:
        raise Problem(
            "forbidden", "only a GAP or legal representative of either side may propose a mandate"
        )
    lock_organisations(db, beneficiary, mandataire)
    for other in db.scalars(
        select(Mandate).where(
            Mandate.beneficiary_bce == beneficiary, Mandate.mandataire_bce == mandataire
        )
    ):
        if mandate_state(other) in ("proposed", "active"):
            raise conflict(f"mandate {other.id} between these organisations is {other.state}")
    mandate = Mandate(
        beneficiary_bce=beneficiary,
        mandataire_bce=mandataire,
        domains=list(domains),  # type: ignore[arg-type]
        valid_from=valid_from,
        valid_until=valid_until,
        state="proposed",
        proposed_by=proposer,
        created_at=utcnow(),
    )
    db.add(mandate)
    db.flush()
    _both_sides(db, actor, mandate, "mandate.propose", None)
    return mandate


def decide_mandate(db: Session, actor: Person, mandate: Mandate, *, accept: bool) -> Mandate:
    """Accept or refuse: only the side that did not propose, only while proposed."""
    other = (
        mandate.mandataire_bce
        if mandate.proposed_by == mandate.beneficiary_bce
        else mandate.beneficiary_bce
    )
    if not manages(db, actor, other):
        raise Problem(
            "forbidden", "only a GAP or legal representative of the other side may decide"
        )
    db.refresh(mandate, with_for_update=True)
    if mandate.state != "proposed":
        raise conflict(f"mandate {mandate.id} is {mandate_state(mandate)}, not proposed")
    old = mandate_json(db, mandate)
    mandate.state = "active" if accept else "refused"
    mandate.decided_at = utcnow()
    mandate.decided_by = actor.nrn
    db.flush()
    _both_sides(db, actor, mandate, "mandate.accept" if accept else "mandate.refuse", old)
    return mandate


def revoke_mandate(db: Session, actor: Person, mandate: Mandate) -> Mandate:
    """Either side ends a proposed or active mandate; it stops working at once."""
    db.refresh(mandate, with_for_update=True)
    state = mandate_state(mandate)
    if state not in ("proposed", "active"):
        raise conflict(f"mandate {mandate.id} is {state}: nothing to revoke")
    old = mandate_json(db, mandate)
    mandate.state = "revoked"
    mandate.decided_at = utcnow()
    mandate.decided_by = actor.nrn
    db.flush()
    _both_sides(db, actor, mandate, "mandate.revoke", old)
    return mandate


def audit_page(db: Session, bce: str, before: int | None, limit: int) -> list[CsamAuditEntry]:
    """Up to ``limit + 1`` entries of the trail, newest first, older than ``before``."""
    query = select(CsamAuditEntry).where(CsamAuditEntry.organisation_bce == bce)
    if before is not None:
        query = query.where(CsamAuditEntry.id < before)
    return list(db.scalars(query.order_by(CsamAuditEntry.id.desc()).limit(limit + 1)))


# --- transparency ------------------------------------------------------------


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
        data="dossier",
        purpose=f"consultation du dossier {dossier.public_id} par un mandataire (Mon Espace)",
        dossier_id=dossier.id,
    )
    db.commit()
