"""The outbox: which events become deliveries, for whom, with which payload, and when not."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from portal.domain.dossiers import record_event
from portal.models import Dossier, WebhookDelivery, parse_dossier_id
from portal.webhooks.outbox import webhook_types

from .conftest import ANNE, BOULANGERIE, JULIEN, VINCENT, User, submit_sesam

LOCAL = "http://127.0.0.1:9/hooks"


def rows(client: Any, endpoint_id: str) -> list[WebhookDelivery]:
    with client.app.state.sessionmaker() as db:
        query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        return list(db.scalars(query.order_by(WebhookDelivery.id)))


def add_events(client: Any, dossier_id: str, *events: tuple[str, str | None, str | None]) -> None:
    """Record events through the one event writer, in one transaction."""
    parsed = parse_dossier_id(dossier_id)
    assert parsed is not None
    with client.app.state.sessionmaker() as db:
        dossier = db.get(Dossier, parsed[1])
        assert dossier is not None
        for type_, old, new in events:
            record_event(db, dossier, type_, actor_nrn=ANNE, acting_as="me", old=old, new=new)
        db.commit()


def test_submit_enqueues_for_matching_endpoints_only(
    quiet_client: Any, person: Callable[..., User]
) -> None:
    anne = person(ANNE)
    only_submitted = anne.register(LOCAL, ["dossier.submitted"])
    everything = anne.register(LOCAL, ["*"])
    decisions = anne.register(LOCAL, ["dossier.decided"])
    other_service = person(VINCENT).post(
        "/agent/webhooks", {"service": "SPW-TLPE", "url": LOCAL, "event_types": ["*"]}
    )
    assert other_service.status_code == 201
    dossier = submit_sesam(person(JULIEN, BOULANGERIE))

    [submitted] = rows(quiet_client, only_submitted["id"])
    assert submitted.event_type == "dossier.submitted" and submitted.status == "pending"
    assert submitted.message_id.startswith("msg_") and submitted.next_attempt_at is not None
    types = [r.event_type for r in rows(quiet_client, everything["id"])]
    assert "dossier.submitted" in types
    assert "dossier.created" not in types and "dossier.attachment_added" not in types, (
        "events of the draft stay private to the applicant"
    )
    assert rows(quiet_client, decisions["id"]) == []
    assert rows(quiet_client, other_service.json()["id"]) == []

    payload = json.loads(submitted.payload)
    assert payload["type"] == "dossier.submitted" and payload["timestamp"].endswith("Z")
    assert payload["data"]["event"]["type"] == "submitted"
    assert payload["data"]["event"]["dossier_id"] == dossier["id"]
    summary = payload["data"]["dossier"]
    assert summary["id"] == dossier["id"] and summary["status"] == "submitted"
    assert summary["submitted_at"] == dossier["submitted_at"], "rendered as committed"
    assert summary["applicant"] == {
        "kind": "organisation",
        "id": BOULANGERIE,
        "name": dossier["applicant"]["name"],
    }
    assert summary["service"] == "SPW-EER" and summary["version"] == dossier["version"]
    assert "data" not in summary, "form data is never in a webhook"


def test_notes_are_never_delivered_and_decisions_also_emit_decided(
    quiet_client: Any, person: Callable[..., User]
) -> None:
    everything = person(ANNE).register(LOCAL, ["*"])
    dossier = submit_sesam(person(JULIEN, BOULANGERIE))
    before = len(rows(quiet_client, everything["id"]))
    add_events(quiet_client, dossier["id"], ("note", None, None), ("data_updated", None, None))
    assert len(rows(quiet_client, everything["id"])) == before
    add_events(
        quiet_client,
        dossier["id"],
        ("assigned", None, ANNE),
        ("status_changed", "in_review", "accepted"),
    )
    new = [r.event_type for r in rows(quiet_client, everything["id"])[before:]]
    assert new == ["dossier.assigned", "dossier.status_changed", "dossier.decided"]
    decided = json.loads(rows(quiet_client, everything["id"])[-1].payload)
    assert decided["data"]["event"]["new"] == "accepted"


def test_a_rolled_back_change_sends_nothing(quiet_client: Any, person: Callable[..., User]) -> None:
    everything = person(ANNE).register(LOCAL, ["*"])
    dossier = submit_sesam(person(JULIEN, BOULANGERIE))
    before = len(rows(quiet_client, everything["id"]))
    parsed = parse_dossier_id(dossier["id"])
    assert parsed is not None
    with quiet_client.app.state.sessionmaker() as db:
        found = db.get(Dossier, parsed[1])
        assert found is not None
        record_event(db, found, "message", actor_nrn=ANNE, acting_as="me")
        db.rollback()
        db.commit()  # a later commit of the same session must not resurrect it
    assert len(rows(quiet_client, everything["id"])) == before


def test_inactive_endpoints_get_nothing(quiet_client: Any, person: Callable[..., User]) -> None:
    from portal.models import WebhookEndpoint

    endpoint = person(ANNE).register(LOCAL, ["*"])
    with quiet_client.app.state.sessionmaker() as db:
        row = db.get(WebhookEndpoint, endpoint["id"])
        assert row is not None
        row.active = False
        db.commit()
    submit_sesam(person(JULIEN, BOULANGERIE))
    assert rows(quiet_client, endpoint["id"]) == []


def test_event_type_mapping() -> None:
    from portal.models import DossierEvent

    def types(type_: str, new: str | None = None) -> list[str]:
        return webhook_types(DossierEvent(type=type_, new=new))

    assert types("submitted") == ["dossier.submitted"]
    assert types("status_changed", "refused") == ["dossier.status_changed", "dossier.decided"]
    assert types("status_changed", "in_review") == ["dossier.status_changed"]
    assert types("note") == [] and types("data_updated") == [] and types("whatever") == []


def test_an_event_undone_by_a_savepoint_is_not_delivered(
    quiet_client: Any, person: Callable[..., User]
) -> None:
    everything = person(ANNE).register(LOCAL, ["*"])
    dossier = submit_sesam(person(JULIEN, BOULANGERIE))
    before = len(rows(quiet_client, everything["id"]))
    parsed = parse_dossier_id(dossier["id"])
    assert parsed is not None
    with quiet_client.app.state.sessionmaker() as db:
        found = db.get(Dossier, parsed[1])
        assert found is not None
        record_event(db, found, "assigned", actor_nrn=ANNE, acting_as="me", new=ANNE)
        savepoint = db.begin_nested()
        record_event(db, found, "message", actor_nrn=ANNE, acting_as="me")
        savepoint.rollback()
        record_event(db, found, "payment", actor_nrn=ANNE, acting_as="me", new="paid")
        db.commit()
    new = [r.event_type for r in rows(quiet_client, everything["id"])[before:]]
    assert new == ["dossier.assigned", "dossier.payment"]
