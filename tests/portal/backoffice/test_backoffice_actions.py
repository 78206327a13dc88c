"""Claim, release, assign, complement, notes, decision: rules, events, applicant's view."""

from __future__ import annotations

import base64
import datetime as dt

from portal.services.seal import verify_seal

from .conftest import ARNE_AGENT, ARNE_SUPERVISOR, EER_AGENT, PERMIT


def _later(days: int = 14) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def test_claim_takes_a_submitted_dossier_into_review(agent, supervisor, submitted):
    path = f"/agent/dossiers/{submitted['id']}"
    claimed = agent.ok("post", f"{path}/claim")
    assert claimed["status"] == "in_review"
    assert claimed["assigned_to"] == {"nrn": ARNE_AGENT, "name": "Manon Jacquet"}
    assert claimed["version"] == submitted["version"] + 1
    again = agent.ok("post", f"{path}/claim")  # claiming one's own dossier changes nothing
    assert again["version"] == claimed["version"]
    # the supervisor cannot claim it over the agent: they reassign instead
    taken = supervisor.post(f"{path}/claim")
    assert taken.status_code == 409, taken.text
    history = agent.ok("get", f"{path}/history")["items"]
    assigned = [e for e in history if e["type"] == "assigned"]
    assert [(e.get("old"), e["new"]) for e in assigned] == [(None, ARNE_AGENT)]
    changes = [(e["old"], e["new"]) for e in history if e["type"] == "status_changed"]
    assert changes == [("submitted", "in_review")]


def test_release_is_for_the_assignee_or_a_supervisor(as_user, agent, supervisor, submit_permit):
    first, second = submit_permit(), submit_permit()
    agent.ok("post", f"/agent/dossiers/{first['id']}/claim")
    supervisor.ok("post", f"/agent/dossiers/{second['id']}/claim")
    refused = agent.post(f"/agent/dossiers/{second['id']}/release")
    assert refused.status_code == 403 and refused.json()["type"].endswith("/forbidden")
    released = agent.ok("post", f"/agent/dossiers/{first['id']}/release")
    assert released["assigned_to"] is None and released["status"] == "in_review"
    agent.ok("post", f"/agent/dossiers/{first['id']}/claim")
    assert supervisor.ok("post", f"/agent/dossiers/{first['id']}/release")["assigned_to"] is None
    history = agent.ok("get", f"/agent/dossiers/{first['id']}/history")["items"]
    moves = [(e.get("old"), e.get("new")) for e in history if e["type"] == "assigned"]
    assert moves == [(None, ARNE_AGENT), (ARNE_AGENT, None), (None, ARNE_AGENT), (ARNE_AGENT, None)]


def test_only_a_supervisor_assigns_and_only_to_an_agent_of_the_service(
    agent, supervisor, submitted
):
    path = f"/agent/dossiers/{submitted['id']}/assign"
    denied = agent.post(path, json={"nrn": ARNE_AGENT})
    assert denied.status_code == 403, denied.text
    wrong = supervisor.post(path, json={"nrn": EER_AGENT})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["pointer"] == "/nrn"
    done = supervisor.ok("post", path, json={"nrn": ARNE_AGENT})
    assert done["assigned_to"]["nrn"] == ARNE_AGENT and done["status"] == "in_review"
    # a supervisor may reassign a claimed dossier
    again = supervisor.ok("post", path, json={"nrn": ARNE_SUPERVISOR})
    assert again["assigned_to"]["nrn"] == ARNE_SUPERVISOR


def test_if_match_refuses_a_stale_action(agent, submitted):
    path = f"/agent/dossiers/{submitted['id']}"
    etag = agent.get(path).headers["ETag"]
    agent.ok("post", f"{path}/claim", headers={"If-Match": etag})
    stale = agent.post(f"{path}/release", headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["type"].endswith("/stale-version")
    assert agent.ok("get", path)["assigned_to"]["nrn"] == ARNE_AGENT  # nothing overwritten
    bad = agent.post(f"{path}/release", headers={"If-Match": "nonsense"})
    assert bad.status_code == 400


def test_complement_round_trip(agent, citizen, submitted):
    path = f"/agent/dossiers/{submitted['id']}"
    empty = agent.post(f"{path}/complement", json={"message": "  ", "due_date": _later()})
    past = agent.post(
        f"{path}/complement", json={"message": "Photo ?", "due_date": dt.date.today().isoformat()}
    )
    assert empty.status_code == 422 and past.status_code == 422
    assert past.json()["errors"][0]["pointer"] == "/due_date"
    asked = agent.ok(
        "post", f"{path}/complement", json={"message": "Joignez une photo.", "due_date": _later()}
    )
    assert asked["status"] == "awaiting_complement" and asked["due_at"].endswith("Z")
    thread = citizen.ok("get", f"/dossiers/{submitted['id']}/messages")["items"]
    assert thread[-1]["complement_request"] is True and thread[-1]["author"]["role"] == "agent"
    assert citizen.ok("get", f"/dossiers/{submitted['id']}")["status"] == "awaiting_complement"
    citizen.ok("post", f"/dossiers/{submitted['id']}/messages", 201, json={"body": "Voici."})
    back = agent.ok("get", path)
    assert back["status"] == "in_review"
    changes = [
        (e["old"], e["new"])
        for e in agent.ok("get", f"{path}/history")["items"]
        if e["type"] == "status_changed"
    ]
    assert changes == [
        ("submitted", "in_review"),
        ("in_review", "awaiting_complement"),
        ("awaiting_complement", "in_review"),
    ]
    # a complement cannot be asked of a dossier awaiting one already
    agent.ok("post", f"{path}/complement", json={"message": "Et le verso.", "due_date": _later()})
    again = agent.post(f"{path}/complement", json={"message": "Encore", "due_date": _later()})
    assert again.status_code == 409


def test_notes_are_private_to_the_agents(agent, supervisor, citizen, submitted):
    path = f"/agent/dossiers/{submitted['id']}"
    note = agent.ok("post", f"{path}/notes", 201, json={"body": "Demandeur connu, RAS."})
    assert note["author"]["nrn"] == ARNE_AGENT and note["body"] == "Demandeur connu, RAS."
    assert agent.post(f"{path}/notes", json={"body": " "}).status_code == 422
    assert [n["body"] for n in supervisor.ok("get", f"{path}/notes")["items"]] == [note["body"]]
    assert supervisor.ok("get", path)["notes"][0]["id"] == note["id"]
    history = agent.ok("get", f"{path}/history")["items"]
    assert next(e for e in history if e["type"] == "note")["new"] == note["id"]
    # the applicant sees neither the note, nor its event, nor a notification
    applicant_events = citizen.ok("get", f"/dossiers/{submitted['id']}/events")["items"]
    assert not {"note", "assigned"} & {e["type"] for e in applicant_events}
    applicant_view = citizen.get(f"/dossiers/{submitted['id']}").text
    assert "RAS" not in applicant_view
    kinds = {n["kind"] for n in citizen.ok("get", "/notifications")["items"]}
    assert "note" not in kinds


def test_decision_files_a_sealed_document_in_the_applicants_vault(
    portal_client, agent, citizen, submitted
):
    path = f"/agent/dossiers/{submitted['id']}"
    early = agent.post(f"{path}/decision", json={"outcome": "accept", "motivation": "OK"})
    assert early.status_code == 409  # submitted, not yet in review
    agent.ok("post", f"{path}/claim")
    missing = agent.post(f"{path}/decision", json={"outcome": "maybe", "motivation": ""})
    assert missing.status_code == 422
    assert {e["pointer"] for e in missing.json()["errors"]} == {"/outcome", "/motivation"}
    decided = agent.ok(
        "post",
        f"{path}/decision",
        json={"outcome": "refuse", "motivation": "Le paiement n'a pas été reçu dans le délai."},
    )
    assert decided["status"] == "refused" and decided["decided_at"]
    document_id = decided["decision_document_id"]
    vault = {d["id"]: d for d in citizen.ok("get", "/documents")["items"]}
    assert vault[document_id]["kind"] == "decision"
    content = citizen.get(f"/documents/{document_id}/content").content
    assert "Décision défavorable".encode("cp1252") in content
    assert "le délai.".encode("cp1252") in content
    assert "Conseil d'État".encode("cp1252") in content and b"60 jours" in content
    seal = citizen.ok("get", f"/documents/{document_id}/seal")
    anchor = base64.b64decode(portal_client.get("/api/v1/seal/certificates").json()["trust_anchor"])
    verify_seal(seal, content, anchor)
    notes = citizen.ok("get", "/notifications")["items"]
    assert {"status_changed", "document"} <= {n["kind"] for n in notes}
    assert citizen.ok("get", f"/dossiers/{submitted['id']}")["status"] == "refused"
    again = agent.post(f"{path}/decision", json={"outcome": "accept", "motivation": "Oups"})
    assert again.status_code == 409


def test_decision_carries_a_given_appeal_text(agent, citizen, submitted):
    path = f"/agent/dossiers/{submitted['id']}"
    agent.ok("post", f"{path}/claim")
    appeal = "Recours au Gouvernement wallon dans les 30 jours, par envoi recommandé."
    decided = agent.ok(
        "post",
        f"{path}/decision",
        json={"outcome": "accept", "motivation": "Complet.", "appeal": appeal},
    )
    content = citizen.get(f"/documents/{decided['decision_document_id']}/content").content
    assert appeal.encode("cp1252") in content and "Conseil d'État".encode("cp1252") not in content


def test_decision_due_date_is_set_on_submit(citizen, agent):
    dossier = citizen.ok(
        "post", "/dossiers", 201, json={"procedure": "PERMIS-PECHE", "data": PERMIT}
    )
    submitted = citizen.ok("post", f"/dossiers/{dossier['id']}/submit")
    view = agent.ok("get", f"/agent/dossiers/{submitted['id']}")
    at = dt.datetime.fromisoformat(submitted["submitted_at"].replace("Z", "+00:00"))
    due = dt.datetime.fromisoformat(view["decision_due_at"].replace("Z", "+00:00"))
    assert abs((due - at) - dt.timedelta(days=1)).total_seconds() < 2  # legal_days = 1
