"""``GET /agent/events`` against the real server: what an agent's live queue receives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from .backoffice_support import StreamReader, api, of_dossier, ok
from .conftest import ARNE_AGENT, CITIZEN, EER_AGENT, PERMIT

ROOT = Path(__file__).resolve().parents[3]
FIDUCIAIRE_REP = "68031412135"  # Philippe Lambert, legal rep of the Fiduciaire
FIDUCIAIRE = "0856712314"


def _submit_permit(url: str, token: str) -> dict[str, Any]:
    with api(url, token) as h:
        made = ok(h.post("/dossiers", json={"procedure": "PERMIS-PECHE", "data": PERMIT}), 201)
        return dict(ok(h.post(f"/dossiers/{made['id']}/submit")))


def _submit_eer_dossier(url: str, token: str) -> str:
    """A CHEQUES-ENTREPRISES dossier (SPW-EER) of the Fiduciaire: another service's event."""
    from portal import pdf

    procedure = "CHEQUES-ENTREPRISES"
    example = json.loads((ROOT / "portal/sandbox/procedures" / f"{procedure}.json").read_text())
    with api(url, token) as h:
        h.headers["X-Acting-As"] = FIDUCIAIRE
        made = ok(
            h.post("/dossiers", json={"procedure": procedure, "data": example["example_data"]}), 201
        )
        files = {
            "file": ("c.pdf", pdf.render(["Convention"], title="Convention"), "application/pdf")
        }
        ok(
            h.post(
                f"/dossiers/{made['id']}/attachments",
                data={"kind": "service_agreement"},
                files=files,
            ),
            201,
        )
        ok(h.post(f"/dossiers/{made['id']}/submit"))
        return str(made["id"])


def _accepted(dossier_id: list[str]) -> Any:
    def until(event: Any) -> bool:
        data = event.json()
        return (
            bool(dossier_id)
            and data.get("dossier_id") == dossier_id[0]
            and event.event == "status_changed"
            and data.get("new") == "accepted"
        )

    return until


def test_agent_stream_follows_triage_and_other_services_see_nothing(portal_server, login):
    url = portal_server.url
    citizen, agent = login(url, CITIZEN), login(url, ARNE_AGENT)
    outsider = login(url, EER_AGENT)
    watched: list[str] = []  # the dossier id, once known
    stream = StreamReader(url, agent, until=_accepted(watched))
    sentinel: list[str] = []
    # Its first event must be the sentinel's: anything of the watched dossier comes before.
    other = StreamReader(url, outsider, until=lambda e: True)
    assert stream.status == 200 and stream.content_type.startswith("text/event-stream")

    dossier = _submit_permit(url, citizen)
    dossier_id = dossier["id"]
    watched.append(dossier_id)
    secret = "Le demandeur a déjà eu un permis retiré en 2019."
    with api(url, agent) as h:
        ok(h.post(f"/agent/dossiers/{dossier_id}/claim"))
        note = ok(h.post(f"/agent/dossiers/{dossier_id}/notes", json={"body": secret}), 201)
        decision = {"outcome": "accept", "motivation": "Conditions remplies."}
        ok(h.post(f"/agent/dossiers/{dossier_id}/decision", json=decision))
        history = ok(h.get(f"/agent/dossiers/{dossier_id}/history"))["items"]
    seen = of_dossier(stream.result(), dossier_id)

    # Everything from the submission on, agent-only events included, as the history has it.
    first = next(i for i, e in enumerate(history) if e["type"] == "submitted")
    assert seen == history[first : len(seen) + first]
    types = [e["type"] for e in seen]
    assert "created" not in types  # draft time is the applicant's
    assert types[0] == "submitted"
    assigned = next(e for e in seen if e["type"] == "assigned")
    assert assigned["new"] == ARNE_AGENT and assigned.get("old") is None
    noted = next(e for e in seen if e["type"] == "note")
    assert noted["new"] == str(note["id"])
    assert secret not in json.dumps(seen, ensure_ascii=False)
    assert types.index("assigned") < types.index("note") < len(types) - 1
    assert seen[-1]["type"] == "status_changed" and seen[-1]["new"] == "accepted"

    # An agent of another service sees none of it (its own service's event comes through).
    sentinel.append(_submit_eer_dossier(url, login(url, FIDUCIAIRE_REP)))
    theirs = other.result()
    assert of_dossier(theirs, dossier_id) == []
    assert of_dossier(theirs, sentinel[0])[0]["type"] == "submitted"

    # The applicant's own stream never carries the agent-only events.
    resumed_citizen = StreamReader(
        url,
        citizen,
        path="/api/v1/events",
        last_event_id=str(seen[0]["id"] - 1),
        until=_accepted(watched),
    )
    applicant_types = [e["type"] for e in of_dossier(resumed_citizen.result(), dossier_id)]
    assert "note" not in applicant_types and "assigned" not in applicant_types
    assert applicant_types[-1] == "status_changed"


def test_agent_stream_resumes_after_last_event_id(portal_server, login):
    url = portal_server.url
    citizen, agent = login(url, CITIZEN), login(url, ARNE_AGENT)
    dossier = _submit_permit(url, citizen)
    with api(url, agent) as h:
        ok(h.post(f"/agent/dossiers/{dossier['id']}/claim"))
        ok(h.post(f"/agent/dossiers/{dossier['id']}/notes", json={"body": "À vérifier."}), 201)
        ok(
            h.post(
                f"/agent/dossiers/{dossier['id']}/decision",
                json={"outcome": "accept", "motivation": "En ordre."},
            )
        )
        history = ok(h.get(f"/agent/dossiers/{dossier['id']}/history"))["items"]
    first = next(i for i, e in enumerate(history) if e["type"] == "submitted")
    since = history[first + 1]  # resume after the second event of the dossier's stream
    resumed = StreamReader(
        url, agent, last_event_id=str(since["id"]), until=_accepted([dossier["id"]])
    )
    got = of_dossier(resumed.result(), dossier["id"])
    accepted = next(i for i, e in enumerate(history) if e.get("new") == "accepted")
    assert [e["id"] for e in got] == [e["id"] for e in history[first + 2 : accepted + 1]]
    # The SSE ids are the event ids: what a client sends back as Last-Event-ID.
    assert [int(e.id or 0) for e in resumed.events if e.event != "session-ended"][-1] == got[-1][
        "id"
    ]


def test_agent_stream_is_404_for_non_agents_and_401_without_login(portal_server, login):
    url = portal_server.url
    answer = httpx.get(
        url + "/api/v1/agent/events",
        headers={"Authorization": f"Bearer {login(url, CITIZEN)}"},
        timeout=10,
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert httpx.get(url + "/api/v1/agent/events", timeout=10).status_code == 401


def test_logout_ends_the_agent_stream(portal_server, login):
    url = portal_server.url
    token = login(url, ARNE_AGENT)
    stream = StreamReader(url, token, until=lambda e: e.event == "session-ended")
    with api(url, token) as h:
        assert h.delete("/auth/sessions/current").status_code == 204
    assert stream.result()[-1].event == "session-ended"
