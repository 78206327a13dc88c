"""Load the sandbox authentic sources and catalogue (``portal/sandbox/*.json``).

Idempotent: loading twice leaves the same rows (records are upserted by their
natural keys — NRN, BCE, service and procedure codes; roles, GAPs and
mandates by the tuple that identifies them), so ``monespace-portal init
--sandbox`` can be re-run after the data files change. Formats: docs/api.md
"Sandbox data files".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import (
    Agent,
    GapDesignation,
    LegalRep,
    Mandate,
    Organisation,
    Person,
    Procedure,
    ProcedureVersion,
    Role,
    Service,
    utcnow,
)

SANDBOX_DIR = Path(__file__).resolve().parent
DEFAULT_FROM = dt.date(2024, 1, 1)


class SandboxDataError(ValueError):
    """A sandbox data file is missing or malformed; the message names it."""


@dataclass
class LoadReport:
    """How many records each source holds after loading."""

    persons: int = 0
    organisations: int = 0
    services: int = 0
    procedures: int = 0
    roles: int = 0
    mandates: int = 0

    def __str__(self) -> str:
        return (
            f"{self.persons} persons, {self.organisations} organisations, "
            f"{self.services} services, {self.procedures} procedures, "
            f"{self.roles} roles, {self.mandates} mandates"
        )


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SandboxDataError(f"missing sandbox file {path}") from None
    except json.JSONDecodeError as exc:
        raise SandboxDataError(f"{path}: invalid JSON ({exc})") from None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def load_sandbox(db: Session, directory: Path = SANDBOX_DIR) -> LoadReport:
    """Upsert every sandbox record into the database (caller commits)."""
    report = LoadReport()
    with _blame("persons.json"):
        report.persons = _load_persons(db, _read(directory / "persons.json"))
    with _blame("organisations.json"):
        report.organisations = _load_organisations(db, _read(directory / "organisations.json"))
    with _blame("services.json"):
        report.services = _load_services(db, _read(directory / "services.json"))
    procedures = sorted((directory / "procedures").glob("*.json"))
    with _blame("procedures/*.json"):
        report.procedures = _load_procedures(db, (_read(p) for p in procedures))
    roles_path = directory / "roles.json"
    if roles_path.exists():
        with _blame("roles.json"):
            report.roles, report.mandates = _load_roles(db, _read(roles_path))
    return report


@contextlib.contextmanager
def _blame(name: str) -> Iterator[None]:
    """Name the file whose records broke a constraint (or lack a field)."""
    try:
        yield
    except IntegrityError as exc:
        raise SandboxDataError(
            f"{name}: a record refers to something that does not exist or is duplicated "
            f"({str(exc.orig).splitlines()[0]})"
        ) from None
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, SandboxDataError):
            raise
        raise SandboxDataError(f"{name}: malformed record ({type(exc).__name__}: {exc})") from None


def _load_persons(db: Session, records: list[dict[str, Any]]) -> int:
    for r in records:
        db.merge(
            Person(
                nrn=r["nrn"],
                given_names=r["given_names"],
                surname=r["surname"],
                birth_date=dt.date.fromisoformat(r["birth_date"]),
                birth_place=r.get("birth_place"),
                sex=r["sex"],
                nationality=r.get("nationality", "BE"),
                language=r.get("language", "fr"),
                email=r.get("email"),
                address=r["address"],
                household=r.get("household") or [],
            )
        )
    db.flush()
    return len(records)


def _load_organisations(db: Session, records: list[dict[str, Any]]) -> int:
    for r in records:
        db.merge(
            Organisation(
                bce=r["bce"],
                name=r["name"],
                legal_form=r["legal_form"],
                kind=r["kind"],
                seat=r["seat"],
                nace=r.get("nace") or [],
                size_fte=r.get("size_fte"),
                founded=_date(r.get("founded")),
                email=r.get("email"),
            )
        )
        db.flush()
        db.execute(delete(LegalRep).where(LegalRep.organisation_bce == r["bce"]))
        for nrn in dict.fromkeys(r.get("legal_reps") or []):
            db.add(LegalRep(organisation_bce=r["bce"], person_nrn=nrn))
    db.flush()
    return len(records)


def _load_services(db: Session, records: list[dict[str, Any]]) -> int:
    for r in records:
        db.merge(Service(code=r["code"], name=r["name"], iban=r["iban"], bic=r["bic"]))
        db.flush()
        db.execute(delete(Agent).where(Agent.service_code == r["code"]))
        for agent in r.get("agents") or []:
            db.add(Agent(service_code=r["code"], person_nrn=agent["nrn"], role=agent["role"]))
    db.flush()
    return len(records)


def _service_code(definition: dict[str, Any]) -> str:
    service = definition.get("service")
    if isinstance(service, dict):
        return str(service["code"])
    if not isinstance(service, str):
        raise SandboxDataError(f"procedure {definition.get('code')}: no service code")
    return service


def _load_procedures(db: Session, definitions: Iterable[dict[str, Any]]) -> int:
    count = 0
    for d in definitions:
        code, version = d["code"], int(d.get("version", 1))
        procedure = db.get(Procedure, code)
        if procedure is None:
            procedure = Procedure(code=code, current_version=version)
            db.add(procedure)
        procedure.current_version = max(procedure.current_version, version)
        procedure.service_code = _service_code(d)
        procedure.domain = d["domain"]
        db.flush()
        row = db.get(ProcedureVersion, (code, version))
        if row is None:
            db.add(
                ProcedureVersion(
                    procedure_code=code, version=version, definition=d, published_at=utcnow()
                )
            )
        else:
            row.definition = d
        count += 1
    db.flush()
    return count


def _load_roles(db: Session, data: dict[str, Any]) -> tuple[int, int]:
    for g in data.get("gaps") or []:
        exists = db.scalar(
            select(GapDesignation).where(
                GapDesignation.organisation_bce == g["bce"], GapDesignation.person_nrn == g["nrn"]
            )
        )
        if exists is None:
            db.add(
                GapDesignation(
                    organisation_bce=g["bce"],
                    person_nrn=g["nrn"],
                    designated_by=g.get("designated_by"),
                    valid_from=_date(g.get("valid_from")) or DEFAULT_FROM,
                    valid_until=_date(g.get("valid_until")),
                )
            )
    roles = 0
    for r in data.get("roles") or []:
        roles += _upsert_role(db, r, r["bce"], on_mandates=False, beneficiary=None)
    for r in data.get("mandate_roles") or []:
        roles += _upsert_role(
            db, r, r["mandataire"], on_mandates=True, beneficiary=r.get("beneficiary")
        )
    mandates = 0
    for m in data.get("mandates") or []:
        _upsert_mandate(db, m)
        mandates += 1
    db.flush()
    return roles, mandates


def _upsert_role(
    db: Session, r: dict[str, Any], bce: str, *, on_mandates: bool, beneficiary: str | None
) -> int:
    query = select(Role).where(
        Role.person_nrn == r["nrn"],
        Role.organisation_bce == bce,
        Role.domain == r["domain"],
        Role.on_mandates == on_mandates,
    )
    query = query.where(
        Role.beneficiary_bce.is_(None)
        if beneficiary is None
        else Role.beneficiary_bce == beneficiary
    )
    role = db.scalar(query)
    if role is None:
        role = Role(
            person_nrn=r["nrn"],
            organisation_bce=bce,
            domain=r["domain"],
            on_mandates=on_mandates,
            beneficiary_bce=beneficiary,
        )
        db.add(role)
    role.level = r.get("level", "act")
    role.valid_from = _date(r.get("valid_from")) or DEFAULT_FROM
    role.valid_until = _date(r.get("valid_until"))
    return 1


def _upsert_mandate(db: Session, m: dict[str, Any]) -> None:
    valid_from = _date(m.get("valid_from")) or DEFAULT_FROM
    mandate = db.scalar(
        select(Mandate).where(
            Mandate.beneficiary_bce == m["beneficiary"],
            Mandate.mandataire_bce == m["mandataire"],
            Mandate.valid_from == valid_from,
        )
    )
    if mandate is None:
        mandate = Mandate(
            beneficiary_bce=m["beneficiary"],
            mandataire_bce=m["mandataire"],
            valid_from=valid_from,
            created_at=utcnow(),
        )
        db.add(mandate)
    mandate.domains = list(m.get("domains") or [])
    mandate.valid_until = _date(m.get("valid_until"))
    mandate.state = m.get("state", "active")
    mandate.proposed_by = m.get("proposed_by")
