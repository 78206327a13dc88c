"""One visibility rule for agents, checked over every status and transition.

Hypothesis walks the life cycle (``portal.domain.states.TRANSITIONS``) from a new
draft, one allowed transition at a time, driving each step through the real
API where one exists (submit, withdraw, claim, complement, answer, decide;
``closed`` has none and is written as the portal's own code does). After
every step, every agent read of the back office must agree with the rule of
portal/backoffice/access.py: the agent sees the dossier exactly when it was
submitted at least once (and it is of their service) — the dossier, its
history, messages and attachments, the queue, the counts, the export and the
agents' event stream. A draft withdrawn without being submitted used to
show in the queue as ``withdrawn``, with its data and files.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from portal.backoffice.events import visible_events
from portal.domain import states
from portal.domain.dossiers import record_event
from portal.models import Dossier, parse_dossier_id
from tests.portal.periphery import files

from .conftest import ARNE_AGENT, CITIZEN, EER_AGENT, PERMIT

DUE = "2031-01-31"


def _walks() -> st.SearchStrategy[list[str]]:
    """Statuses visited from draft, each step an allowed transition."""

    @st.composite
    def walk(draw: st.DrawFn) -> list[str]:
        path = [states.DRAFT]
        for _ in range(draw(st.integers(0, 6))):
            nexts = sorted(states.TRANSITIONS[path[-1]])
            if not nexts:
                break
            path.append(draw(st.sampled_from(nexts)))
        return path

    return walk()


def _step(citizen: Any, agent: Any, app: Any, dossier_id: str, old: str, new: str) -> None:
    """Move the dossier ``old → new`` the way a person of the portal would."""
    path = f"/dossiers/{dossier_id}"
    if new == states.SUBMITTED:
        citizen.ok("post", f"{path}/submit")
    elif new == states.WITHDRAWN:
        citizen.ok("post", f"{path}/withdraw")
    elif new == states.IN_REVIEW and old == states.SUBMITTED:
        agent.ok("post", f"/agent{path}/claim")
    elif new == states.IN_REVIEW:  # the applicant answers the complement request
        citizen.ok("post", f"{path}/messages", 201, json={"body": "Voici le complément."})
    elif new == states.AWAITING_COMPLEMENT:
        body = {"message": "Il manque une pièce.", "due_date": DUE}
        agent.ok("post", f"/agent{path}/complement", json=body)
    elif new in (states.ACCEPTED, states.REFUSED):
        outcome = "accept" if new == states.ACCEPTED else "refuse"
        body = {"outcome": outcome, "motivation": "Motivation de la décision."}
        agent.ok("post", f"/agent{path}/decision", json=body)
    else:  # closed: no API closes a dossier; the portal's own status change
        _close(app, dossier_id, old)


def _close(app: Any, dossier_id: str, old: str) -> None:
    pk = parse_dossier_id(dossier_id)[1]  # type: ignore[index]
    states.check_transition(old, states.CLOSED)
    with app.state.sessionmaker() as db:
        db.execute(update(Dossier).where(Dossier.id == pk).values(status=states.CLOSED))
        dossier = db.get(Dossier, pk)
        record_event(
            db,
            dossier,
            "status_changed",
            actor_nrn=ARNE_AGENT,
            acting_as="me",
            old=old,
            new="closed",
        )
        db.commit()


def _agent_reads(agent: Any, app: Any, dossier_id: str, attachment_id: str) -> dict[str, bool]:
    """For each read of the back office: does the agent see the dossier there?"""
    seen: dict[str, bool] = {}
    for name, path in (
        ("dossier", f"/agent/dossiers/{dossier_id}"),
        ("history", f"/agent/dossiers/{dossier_id}/history"),
        ("messages", f"/agent/dossiers/{dossier_id}/messages"),
        ("attachment", f"/agent/attachments/{attachment_id}/content"),
    ):
        status = agent.get(path).status_code
        assert status in (200, 404), (name, status)
        seen[name] = status == 200
    query = {"status": "all", "q": dossier_id}
    items = agent.ok("get", "/agent/queue", params=query)["items"]
    seen["queue"] = dossier_id in {i["id"] for i in items}
    counts = agent.ok("get", "/agent/queue/counts", params=query)["counts"]
    seen["counts"] = sum(counts.values()) == 1
    export = agent.get("/agent/export", params={**query, "format": "jsonl"})
    assert export.status_code == 200, export.text
    lines = [json.loads(line) for line in export.text.splitlines() if line.strip()]
    seen["export"] = dossier_id in {line["id"] for line in lines}
    pk = parse_dossier_id(dossier_id)[1]  # type: ignore[index]
    with app.state.sessionmaker() as db:
        rows = visible_events(db, agent.nrn, 0, 100_000) or []
        seen["events"] = any(dossier.id == pk for _event, dossier in rows)
    return seen


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(walk=_walks())
# Together these take every transition of the life cycle at least once.
@example(walk=["draft", "withdrawn"])
@example(walk=["draft", "submitted", "withdrawn"])
@example(walk=["draft", "submitted", "in_review", "awaiting_complement", "withdrawn"])
@example(
    walk=[
        "draft",
        "submitted",
        "in_review",
        "awaiting_complement",
        "in_review",
        "accepted",
        "closed",
    ]
)
@example(walk=["draft", "submitted", "in_review", "refused", "closed"])
def test_agents_see_a_dossier_exactly_from_its_first_submission(
    walk: list[str], portal_app: Any, as_user: Any
) -> None:
    citizen, agent, stranger = as_user(CITIZEN), as_user(ARNE_AGENT), as_user(EER_AGENT)
    dossier = citizen.ok(
        "post", "/dossiers", 201, json={"procedure": "PERMIS-PECHE", "data": PERMIT}
    )
    dossier_id = dossier["id"]
    attachment = citizen.post(
        f"/dossiers/{dossier_id}/attachments",
        data={"kind": "other"},
        files={"file": ("pièce.pdf", files.pdf_file(), "application/pdf")},
    )
    assert attachment.status_code == 201, attachment.text
    attachment_id = attachment.json()["id"]
    submitted = False
    for old, new in [(states.DRAFT, states.DRAFT), *itertools.pairwise(walk)]:
        if new != old:
            _step(citizen, agent, portal_app, dossier_id, old, new)
        submitted = submitted or new == states.SUBMITTED
        seen = _agent_reads(agent, portal_app, dossier_id, attachment_id)
        expected = dict.fromkeys(seen, submitted)
        assert seen == expected, f"after {walk[: walk.index(new) + 1]}: {seen}"
        # Another service's agent never sees it, whatever its status.
        assert not any(_agent_reads(stranger, portal_app, dossier_id, attachment_id).values())
