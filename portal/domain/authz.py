"""Who may act for whom: the one place where acting contexts are decided.

A session belongs to a person; each request names a context (``X-Acting-As:
me`` or a BCE number). The person may act:

- for themself (``via: self``), in every domain;
- for an organisation they legally represent at the BCE (``legal_rep``), in
  every domain;
- for an organisation where they hold a valid CSAM role (``role``), in the
  roles' domains;
- for the beneficiary of an *active* mandate given to an organisation where
  they hold a valid role on mandates (``mandate``), in the domains both the
  mandate and the role cover.

Everything else only calls :func:`contexts_for`, :func:`find_context` and
:func:`can_act`, and passes the result around as an :class:`Actor` (a person
acting in one context), which the domain takes without knowing of HTTP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    AccessToken,
    AuthSession,
    LegalRep,
    Mandate,
    Organisation,
    Person,
    Role,
    utcnow,
)

#: The CSAM domains a procedure can belong to (docs/api.md).
DOMAINS = (
    "employment",
    "economy",
    "housing",
    "environment",
    "planning",
    "health",
    "nature",
    "animals",
    "non_profit",
)
#: Role levels that allow filing procedures (``consult`` only reads).
ACTING_LEVELS = frozenset({"act", "manage"})
ME = "me"


@dataclass(frozen=True)
class Context:
    """One context a person may act in (the ``Context`` of ``GET /me``).

    ``domains`` is None for "every domain"; ``write_domains`` the domains in
    which the person may file (not only read).
    """

    id: str
    kind: str
    name: str
    via: str
    bce: str | None = None
    domains: frozenset[str] | None = None
    write_domains: frozenset[str] | None = None

    def covers(self, domain: str, *, write: bool) -> bool:
        """Whether this context allows reading (or writing) in ``domain``."""
        allowed = self.write_domains if write else self.domains
        return allowed is None or domain in allowed

    def to_json(self) -> dict[str, object]:
        """The API representation (docs/api.md ``Context``)."""
        body: dict[str, object] = {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "via": self.via,
            "domains": sorted(self.domains) if self.domains is not None else list(DOMAINS),
        }
        if self.bce is not None:
            body["bce"] = self.bce
        return body


@dataclass
class _Grant:
    name: str
    via: str
    domains: set[str] | None = None
    write: set[str] | None = None
    rank: int = 0


_VIA_RANK = {"legal_rep": 3, "role": 2, "mandate": 1}


def _valid(valid_from: dt.date, valid_until: dt.date | None, day: dt.date) -> bool:
    return valid_from <= day and (valid_until is None or day <= valid_until)


def _merge(grants: dict[str, _Grant], bce: str, new: _Grant) -> None:
    """Combine two ways of reaching one organisation: domains add up."""
    old = grants.get(bce)
    if old is None:
        grants[bce] = new
        return
    if old.domains is None or new.domains is None:
        old.domains = None
        old.write = None
    else:
        old.domains |= new.domains
        assert old.write is not None and new.write is not None
        old.write |= new.write
    if new.rank > old.rank:
        old.via, old.rank = new.via, new.rank


def contexts_for(session: Session, person: Person, at: dt.datetime | None = None) -> list[Context]:
    """Every context ``person`` may act in at ``at`` (default now): self first."""
    day = (at or utcnow()).date()
    grants: dict[str, _Grant] = {}
    for bce in session.scalars(
        select(LegalRep.organisation_bce).where(LegalRep.person_nrn == person.nrn)
    ):
        _merge(grants, bce, _Grant("", "legal_rep", None, None, _VIA_RANK["legal_rep"]))
    roles = session.scalars(select(Role).where(Role.person_nrn == person.nrn)).all()
    for role in roles:
        if not _valid(role.valid_from, role.valid_until, day):
            continue
        write = {role.domain} if role.level in ACTING_LEVELS else set()
        if role.on_mandates:
            for mandate in _active_mandates(session, role, day):
                domains = {role.domain} & set(mandate.domains)
                if domains:
                    grant = _Grant("", "mandate", domains, write & domains, _VIA_RANK["mandate"])
                    _merge(grants, mandate.beneficiary_bce, grant)
        else:
            grant = _Grant("", "role", {role.domain}, write, _VIA_RANK["role"])
            _merge(grants, role.organisation_bce, grant)
    return [_self_context(person), *_organisation_contexts(session, grants)]


def _active_mandates(session: Session, role: Role, day: dt.date) -> list[Mandate]:
    query = select(Mandate).where(
        Mandate.mandataire_bce == role.organisation_bce, Mandate.state == "active"
    )
    if role.beneficiary_bce is not None:
        query = query.where(Mandate.beneficiary_bce == role.beneficiary_bce)
    return [
        m
        for m in session.scalars(query)
        if _valid(m.valid_from, m.valid_until, day) and role.domain in m.domains
    ]


def _self_context(person: Person) -> Context:
    return Context(id=ME, kind="person", name=person.name, via="self")


def _organisation_contexts(session: Session, grants: dict[str, _Grant]) -> list[Context]:
    if not grants:
        return []
    rows = session.execute(
        select(Organisation.bce, Organisation.name).where(Organisation.bce.in_(grants))
    )
    names = {bce: name for bce, name in rows}
    result = []
    for bce in sorted(grants):
        grant = grants[bce]
        result.append(
            Context(
                id=bce,
                kind="organisation",
                name=names.get(bce, bce),
                via=grant.via,
                bce=bce,
                domains=frozenset(grant.domains) if grant.domains is not None else None,
                write_domains=frozenset(grant.write) if grant.write is not None else None,
            )
        )
    return result


def find_context(
    session: Session, person: Person, acting_as: str, at: dt.datetime | None = None
) -> Context | None:
    """The context ``acting_as`` ("me" or a BCE number) if the person holds it."""
    if acting_as == ME:
        return _self_context(person)
    for context in contexts_for(session, person, at):
        if context.id == acting_as:
            return context
    return None


def can_act(
    session: Session,
    person: Person,
    acting_as: str,
    procedure_domain: str,
    at: dt.datetime | None = None,
    *,
    write: bool = True,
) -> bool:
    """Whether ``person`` may file (or, ``write=False``, read) in ``procedure_domain``."""
    context = find_context(session, person, acting_as, at)
    return context is not None and context.covers(procedure_domain, write=write)


@dataclass(frozen=True)
class Visibility:
    """What dossiers a context may see: its applicant, restricted to domains."""

    applicant_kind: str
    applicant_id: str
    domains: frozenset[str] | None = field(default=None)


def visibility(person: Person, context: Context) -> Visibility:
    """The dossiers visible in ``context`` (used by every dossier query)."""
    if context.kind == "person":
        return Visibility("person", person.nrn)
    assert context.bce is not None
    return Visibility("organisation", context.bce, context.domains)


@dataclass(frozen=True)
class Principal:
    """The authenticated person and their login: a card session or an access token."""

    person: Person
    session: AuthSession | AccessToken

    @property
    def token(self) -> AccessToken | None:
        """The personal access token of the request, None for a login session."""
        return self.session if isinstance(self.session, AccessToken) else None

    @property
    def login_id(self) -> str:
        """``session:<id>`` or ``token:<id>``: what live streams are counted and cached by."""
        return self.session.login_id


@dataclass(frozen=True)
class Actor:
    """A principal acting in one context (``X-Acting-As``)."""

    person: Person
    session: AuthSession | AccessToken
    context: Context

    @property
    def login_id(self) -> str:
        """See :attr:`Principal.login_id`."""
        return self.session.login_id

    @property
    def acting_as(self) -> str:
        """``"me"`` or the organisation's BCE number."""
        return self.context.id

    @property
    def visibility(self) -> Visibility:
        """Which dossiers this actor may see."""
        return visibility(self.person, self.context)

    @property
    def applicant(self) -> tuple[str, str, str]:
        """``(kind, id, name)`` of the applicant a new dossier gets."""
        if self.context.kind == "person":
            return "person", self.person.nrn, self.person.name
        assert self.context.bce is not None
        return "organisation", self.context.bce, self.context.name


__all__ = [
    "DOMAINS",
    "ME",
    "Actor",
    "Context",
    "Principal",
    "Visibility",
    "can_act",
    "contexts_for",
    "find_context",
    "visibility",
]
