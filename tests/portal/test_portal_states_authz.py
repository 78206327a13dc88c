"""The life cycle table and the acting-context rules, checked directly."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from portal.domain import authz, states
from portal.models import Mandate, Organisation, Person, Role


@given(st.sampled_from(states.STATUSES), st.sampled_from(states.STATUSES))
def test_transitions_follow_the_table(old: str, new: str) -> None:
    if new in states.TRANSITIONS[old]:
        states.check_transition(old, new)
    else:
        with pytest.raises(states.TransitionNotAllowed):
            states.check_transition(old, new)


def test_life_cycle_of_the_architecture() -> None:
    sources = {s for s in states.STATUSES if states.allowed(s, states.WITHDRAWN)}
    assert sources == {states.DRAFT, states.SUBMITTED, states.AWAITING_COMPLEMENT}
    assert states.allowed(states.IN_REVIEW, states.AWAITING_COMPLEMENT)
    assert states.allowed(states.AWAITING_COMPLEMENT, states.IN_REVIEW)
    assert not states.TRANSITIONS[states.CLOSED] and not states.TRANSITIONS[states.WITHDRAWN]
    assert not states.allowed(states.ACCEPTED, states.REFUSED)


@pytest.fixture
def db(portal_settings):
    engine = create_engine(portal_settings.database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_consult_role_reads_but_does_not_file(db) -> None:
    org = db.scalars(select(Organisation).order_by(Organisation.bce)).first()
    reps = {r.person_nrn for r in org.legal_reps}
    person = next(p for p in db.scalars(select(Person)) if p.nrn not in reps)
    assert authz.find_context(db, person, org.bce) is None or pytest.fail("pick another person")
    db.add(
        Role(
            person_nrn=person.nrn,
            organisation_bce=org.bce,
            domain="economy",
            level="consult",
            valid_from=dt.date(2024, 1, 1),
        )
    )
    db.flush()
    assert authz.can_act(db, person, org.bce, "economy", write=False)
    assert not authz.can_act(db, person, org.bce, "economy", write=True)
    assert not authz.can_act(db, person, org.bce, "housing", write=False)
    context = authz.find_context(db, person, org.bce)
    assert context is not None and context.via == "role"
    db.rollback()


def test_roles_and_mandates_expire(db) -> None:
    mandate = db.scalar(select(Mandate).where(Mandate.state == "active"))
    assert mandate is not None
    role = db.scalar(
        select(Role).where(
            Role.on_mandates.is_(True), Role.organisation_bce == mandate.mandataire_bce
        )
    )
    assert role is not None
    person = db.get(Person, role.person_nrn)
    domain = next(d for d in mandate.domains if d == role.domain)
    now = dt.datetime.now(dt.UTC)
    assert authz.can_act(db, person, mandate.beneficiary_bce, domain, now)
    mandate.state = "revoked"
    db.flush()
    assert not authz.can_act(db, person, mandate.beneficiary_bce, domain, now)
    mandate.state = "active"
    role.valid_until = dt.date(2020, 1, 1)
    db.flush()
    assert not authz.can_act(db, person, mandate.beneficiary_bce, domain, now)
    db.rollback()


def test_self_context_covers_everything(db) -> None:
    person = db.scalars(select(Person)).first()
    assert authz.can_act(db, person, authz.ME, "housing")
    assert authz.find_context(db, person, "0000000000") is None
