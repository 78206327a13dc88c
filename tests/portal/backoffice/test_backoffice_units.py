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
from portal.services.events import StreamEvent, event_frames

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
    batches = [
        [
            StreamEvent(1, "note", {"id": 1}),
            StreamEvent(2, "assigned", {"id": 2}),
            StreamEvent(3, "status_changed", {"id": 3}),
        ]
    ]

    async def collect() -> list[str]:
        frames: list[str] = []

        def fetch(after: int, limit: int) -> list[StreamEvent]:
            return batches.pop(0) if batches else []

        async def disconnected() -> bool:
            return len(frames) >= 2

        async for frame in event_frames(fetch, 0, disconnected, poll_interval=0.01):
            frames.append(frame)
        return frames

    frames = asyncio.run(collect())
    assert frames[1].startswith("id: 3\nevent: status_changed")
    assert not any("event: note" in f or "event: assigned" in f for f in frames)


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
