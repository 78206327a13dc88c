"""Service-level checks: the conditional update, agent-only events in the stream, appeal text."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from portal.backoffice import actions
from portal.backoffice.access import agent_of, get_dossier
from portal.models import Dossier, Person, parse_dossier_id
from portal.problems import Problem
from portal.services.documents import appeal_text

from .conftest import ARNE_AGENT


def test_apply_never_overwrites_a_change_made_after_the_read(portal_app, submitted):
    maker = portal_app.state.sessionmaker
    with maker() as db:
        caller = agent_of(db, db.get(Person, ARNE_AGENT))
        assert caller is not None
        dossier, _service = get_dossier(db, caller, submitted["id"])
        change = actions.plan_claim(caller, dossier)
        read_version = dossier.version
        db.commit()  # end the reading transaction; the plan stays in memory
        with maker() as other:  # someone else changes the dossier meanwhile
            pk = parse_dossier_id(submitted["id"])[1]
            other.execute(
                update(Dossier).where(Dossier.id == pk).values(version=Dossier.version + 1)
            )
            other.commit()
        with pytest.raises(Problem) as caught:
            actions.apply(db, caller, dossier, change, read_version)
        assert caught.value.kind == "stale-version"
        db.rollback()
        assert db.get(Dossier, pk).assigned_to is None


def test_agent_only_events_never_reach_the_applicants_stream():
    """The hub queues ``note`` and ``assigned`` for agents' streams only."""
    from portal.config import StreamSettings
    from portal.domain.authz import Visibility
    from portal.models import DossierEvent
    from portal.services.events import AGENT_ONLY_TYPES
    from portal.streams.hub import Fresh, Hub
    from portal.streams.rights import APPLICANT, Grant, RightsKey

    class State:
        class engine:
            class dialect:
                name = "sqlite"

    applicant = ("person", "68031412135")
    dossier = Dossier(applicant_kind=applicant[0], applicant_id=applicant[1])

    def fresh(pk: int, kind: str) -> Fresh:
        frame = f"id: {pk}\nevent: {kind}\ndata: {{}}\n\n"
        return Fresh(pk, kind, frame, applicant, "nature", DossierEvent(id=pk, type=kind), dossier)

    async def collect() -> list[str]:
        hub = Hub(State(), StreamSettings())
        key = RightsKey("session:1", applicant[1], APPLICANT, "me", token="t")
        hub.rights.ttl = 1e9
        hub.rights.store(key, Grant(visibility=Visibility(*applicant)), 0)
        sub = hub.open(key, applicant=applicant, hidden=AGENT_ONLY_TYPES)
        await hub._fan_out([fresh(1, "note"), fresh(2, "assigned"), fresh(3, "status_changed")])
        frames = []
        while not sub.queue.empty():
            frames.append(sub.queue.get_nowait()[1])
        return frames

    frames = asyncio.run(collect())
    assert frames == ["id: 3\nevent: status_changed\ndata: {}\n\n"]


def test_appeal_text_defaults_to_the_conseil_detat_and_follows_the_procedure():
    default = appeal_text({})
    assert "Conseil d'État" in default and "60 jours" in default and "Forme" in default
    own = appeal_text({"appeal": {"body": "Gouvernement wallon", "days": 30}})
    assert "Gouvernement wallon" in own and "30 jours" in own


def test_end_of_day_is_brussels_midnight():
    import datetime as dt

    moment = actions.end_of_day(dt.date(2026, 12, 1))
    assert moment.tzinfo is not None
    assert moment.astimezone(dt.UTC).isoformat() == "2026-12-01T22:59:59+00:00"
