"""Message thread both ways, complement answers, notifications, e-mail, access log."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.domain.dossiers import record_event
from portal.models import Dossier, Person, parse_dossier_id
from portal.services.messages import AGENT, post_message

from . import files
from .conftest import AGENT as AGENT_NRN
from .conftest import CITIZEN

PERMIT = {"permit_type": "B", "year": 2027}


def _submit(user) -> dict:
    dossier = user.new_dossier("PERMIS-PECHE", PERMIT)
    answer = user.post(f"/dossiers/{dossier['id']}/submit")
    assert answer.status_code == 200, answer.text
    return answer.json()


def _agent_asks_complement(db, public_id: str) -> None:
    """Take the dossier into review and ask, as a service would (no back-office request)."""
    dossier = db.get(Dossier, parse_dossier_id(public_id)[1])
    agent = db.get(Person, AGENT_NRN)
    dossier.assigned_to = agent.nrn
    dossier.status = "in_review"
    record_event(
        db,
        dossier,
        "status_changed",
        actor_nrn=agent.nrn,
        acting_as="me",
        old="submitted",
        new="in_review",
    )
    post_message(
        db,
        dossier,
        agent,
        role=AGENT,
        body="Merci de joindre une photo d'identité.",
        complement_request=True,
        due_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=15),
    )
    db.commit()


def test_thread_both_ways_and_complement_answer_moves_to_in_review(citizen, db):
    submitted = _submit(citizen)
    dossier_id = submitted["id"]
    first = citizen.post(
        f"/dossiers/{dossier_id}/messages", json={"body": "Bonjour, une question."}
    )
    assert first.status_code == 201, first.text
    assert first.json()["author"]["role"] == "applicant"

    _agent_asks_complement(db, dossier_id)
    assert citizen.get(f"/dossiers/{dossier_id}").json()["status"] == "awaiting_complement"

    photo = citizen.upload(dossier_id, "other", "photo.png", files.png(), "image/png").json()
    answer = citizen.post(
        f"/dossiers/{dossier_id}/messages",
        json={"body": "Voici la photo demandée.", "attachment_ids": [photo["id"]]},
    )
    assert answer.status_code == 201, answer.text
    assert [a["id"] for a in answer.json()["attachments"]] == [photo["id"]]
    assert citizen.get(f"/dossiers/{dossier_id}").json()["status"] == "in_review"

    thread = citizen.get(f"/dossiers/{dossier_id}/messages").json()["items"]
    assert [(m["author"]["role"], m["complement_request"]) for m in thread] == [
        ("applicant", False),
        ("agent", True),
        ("applicant", False),
    ]
    assert thread[1]["due_at"] and thread[2]["attachments"][0]["sha256"] == photo["sha256"]
    statuses = [
        (e["old"], e["new"])
        for e in citizen.get(f"/dossiers/{dossier_id}/events").json()["items"]
        if e["type"] == "status_changed"
    ]
    assert statuses[-2:] == [
        ("in_review", "awaiting_complement"),
        ("awaiting_complement", "in_review"),
    ]


def test_attachments_cannot_be_reused_or_borrowed(citizen, other):
    mine, theirs = _submit(citizen), _submit(other)
    photo = citizen.upload(mine["id"], "other", "p.png", files.png(), "image/png").json()
    used = citizen.post(
        f"/dossiers/{mine['id']}/messages", json={"body": "1", "attachment_ids": [photo["id"]]}
    )
    assert used.status_code == 201
    again = citizen.post(
        f"/dossiers/{mine['id']}/messages", json={"body": "2", "attachment_ids": [photo["id"]]}
    )
    assert again.status_code == 422
    borrowed = other.post(
        f"/dossiers/{theirs['id']}/messages", json={"body": "3", "attachment_ids": [photo["id"]]}
    )
    assert borrowed.status_code == 422


def test_messages_of_another_persons_dossier_are_404(citizen, other):
    submitted = _submit(citizen)
    assert other.get(f"/dossiers/{submitted['id']}/messages").status_code == 404
    answer = other.post(f"/dossiers/{submitted['id']}/messages", json={"body": "hello"})
    assert answer.status_code == 404


def test_draft_thread_is_closed_and_empty_body_refused(citizen):
    draft = citizen.new_dossier("PERMIS-PECHE", PERMIT)
    assert citizen.post(f"/dossiers/{draft['id']}/messages", json={"body": "x"}).status_code == 409
    submitted = _submit(citizen)
    assert (
        citizen.post(f"/dossiers/{submitted['id']}/messages", json={"body": ""}).status_code == 422
    )


def test_notifications_inbox(citizen, other, db):
    submitted = _submit(citizen)
    _agent_asks_complement(db, submitted["id"])
    inbox = citizen.get("/notifications?unread=true").json()["items"]
    kinds = [n["kind"] for n in inbox]
    assert {"submitted", "document", "payment", "status_changed", "message"} <= set(kinds)
    assert all(n["dossier_id"] == submitted["id"] for n in inbox)
    message_note = next(n for n in inbox if n["kind"] == "message")
    assert submitted["id"] in message_note["title"]
    assert other.post(f"/notifications/{message_note['id']}/read").status_code == 404
    assert citizen.post(f"/notifications/{message_note['id']}/read").status_code == 204
    unread = {n["id"] for n in citizen.get("/notifications?unread=true").json()["items"]}
    assert message_note["id"] not in unread
    everything = citizen.get("/notifications?limit=2").json()
    assert len(everything["items"]) == 2 and everything["next_cursor"]
    following = citizen.get(f"/notifications?limit=2&cursor={everything['next_cursor']}").json()
    assert not {n["id"] for n in following["items"]} & {n["id"] for n in everything["items"]}


def test_own_messages_do_not_notify_their_author(citizen, db):
    submitted = _submit(citizen)
    citizen.post(f"/dossiers/{submitted['id']}/messages", json={"body": "Bonjour"})
    kinds = [n["kind"] for n in citizen.get("/notifications").json()["items"]]
    assert "message" not in kinds


def test_email_arrives_at_a_local_smtp_sink(make_portal, as_user, smtp_sink, db):
    client = make_portal(smtp_url=smtp_sink.url)
    user = as_user(client, CITIZEN)
    submitted = _submit(user)
    messages = smtp_sink.wait_for(1)
    assert messages, "no e-mail reached the SMTP sink"
    assert all(m["To"] == "philippe.lambert@example.be" for m in messages)
    subjects = [str(m["Subject"]) for m in messages]
    assert any(submitted["id"] in s for s in subjects)
    body = messages[0].get_body().get_content()
    assert "monespace dossier show" in body


def test_an_smtp_server_that_is_down_does_not_break_submit(make_portal, as_user):
    from .smtp_sink import free_port

    client = make_portal(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    user = as_user(client, CITIZEN)
    submitted = _submit(user)
    assert submitted["status"] == "submitted"
    assert user.get("/notifications").json()["items"]


def test_access_log_lists_prefill_reads(citizen, other):
    dossier = citizen.new_dossier("PERMIS-PECHE", PERMIT)
    assert dossier["prefilled"], "the form has x-prefill fields"
    log = citizen.get("/mydata/access-log").json()["items"]
    reads = [e for e in log if e.get("dossier_id") == dossier["id"]]
    assert reads and all("prefill" in e["purpose"] for e in reads)
    assert {e["data"] for e in reads} >= {"identity"}
    assert reads[0]["accessor"]["nrn"] == CITIZEN
    assert not [
        e
        for e in other.get("/mydata/access-log").json()["items"]
        if e.get("dossier_id") == dossier["id"]
    ]


def test_mydata_shows_the_register_record(citizen):
    body = citizen.get("/mydata").json()
    assert body["source"] == "rn"
    assert body["person"]["nrn"] == CITIZEN and body["person"]["surname"] == "Lambert"


@pytest.mark.parametrize("bce", ["0856712314"])
def test_mydata_for_an_organisation(citizen, bce):
    answer = citizen.get("/mydata", headers={"X-Acting-As": bce})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["source"] == "bce" and body["organisation"]["bce"] == bce
    assert citizen.get("/mydata/access-log", headers={"X-Acting-As": bce}).status_code == 200
