"""Who sees the back office and which dossiers: 404 outside, 403 only for supervisor actions."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Dossier, Procedure, dossier_public_id

from .conftest import ARNE_AGENT, CITIZEN, EER_AGENT, EER_SUPERVISOR, TLPE_AGENT


def _dossier_of_service(portal_app, service: str, status: str = "submitted") -> str:
    with portal_app.state.sessionmaker() as db:
        row = db.execute(
            select(Dossier)
            .join(Procedure, Procedure.code == Dossier.procedure_code)
            .where(Procedure.service_code == service, Dossier.status == status)
            .limit(1)
        ).scalar_one()
        return dossier_public_id(row.id, row.created_at)


def test_a_citizen_gets_404_on_every_agent_path(citizen, submitted):
    for path in (
        "/agent/services",
        "/agent/queue",
        "/agent/queue/counts",
        f"/agent/dossiers/{submitted['id']}",
        "/agent/export",
    ):
        answer = citizen.get(path)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json()["type"].endswith("/not-found")
    assert citizen.post(f"/agent/dossiers/{submitted['id']}/claim").status_code == 404
    assert citizen.post("/agent/bulk", json={"action": "claim", "ids": []}).status_code == 404


def test_services_lists_roles_agents_and_procedures(as_user):
    piron = as_user(EER_AGENT).ok("get", "/agent/services")["items"]
    assert [s["code"] for s in piron] == ["FOREM", "SPW-EER"]
    eer = piron[1]
    assert eer["role"] == "agent"
    assert {"nrn": EER_SUPERVISOR, "name": "Anne Gilson", "role": "supervisor"} in eer["agents"]
    assert "SESAM" in eer["procedures"] and "PERMIS-PECHE" not in eer["procedures"]
    gilson = as_user(EER_SUPERVISOR).ok("get", "/agent/services")["items"]
    assert [(s["code"], s["role"]) for s in gilson] == [("SPW-EER", "supervisor")]


def test_an_agent_of_another_service_gets_404(portal_app, as_user, seeded):
    eer_dossier = _dossier_of_service(portal_app, "SPW-EER")
    hardy = as_user(TLPE_AGENT)
    for answer in (
        hardy.get(f"/agent/dossiers/{eer_dossier}"),
        hardy.post(f"/agent/dossiers/{eer_dossier}/claim"),
        hardy.get(f"/agent/dossiers/{eer_dossier}/history"),
        hardy.post(f"/agent/dossiers/{eer_dossier}/notes", json={"body": "x"}),
    ):
        assert answer.status_code == 404, answer.text
    queue = hardy.ok("get", "/agent/queue", params={"status": "all", "limit": 500})
    assert queue["items"] and {i["service"] for i in queue["items"]} == {"SPW-TLPE"}
    assert as_user(EER_AGENT).get(f"/agent/dossiers/{eer_dossier}").status_code == 200


def test_drafts_are_invisible(portal_app, as_user, citizen):
    draft = citizen.ok("post", "/dossiers", 201, json={"procedure": "PERMIS-PECHE", "data": {}})
    manon = as_user(ARNE_AGENT)
    assert manon.get(f"/agent/dossiers/{draft['id']}").status_code == 404
    assert manon.post(f"/agent/dossiers/{draft['id']}/claim").status_code == 404
    everything = manon.ok("get", "/agent/queue", params={"status": "all"})["items"]
    assert draft["id"] not in {i["id"] for i in everything}
    assert manon.get("/agent/queue", params={"status": "draft"}).status_code == 422
    # malformed and unknown ids are 404 as well
    assert manon.get("/agent/dossiers/MSP-2026-999999999").status_code == 404
    assert manon.get("/agent/dossiers/nonsense").status_code == 404


def test_opening_a_dossier_writes_the_applicants_access_log(as_user, citizen, submitted):
    manon = as_user(ARNE_AGENT)
    answer = manon.get(f"/agent/dossiers/{submitted['id']}")
    assert answer.status_code == 200 and answer.headers["ETag"] == f'"{submitted["version"]}"'
    body = answer.json()
    assert body["service"] == "SPW-ARNE" and body["assigned_to"] is None and body["notes"] == []
    assert body["decision_due_at"] and body["overdue"] is False
    manon.ok("get", f"/agent/dossiers/{submitted['id']}", params={"purpose": "contrôle qualité"})
    log = citizen.ok("get", "/mydata/access-log")["items"]
    mine = [e for e in log if e["accessor"]["nrn"] == ARNE_AGENT]
    assert [e["purpose"] for e in mine] == [
        "contrôle qualité",
        f"Traitement du dossier {submitted['id']} par SPW-ARNE",
    ]
    assert mine[0]["data"] == "dossier" and mine[0]["dossier_id"] == submitted["id"]
    assert mine[0].get("accessor_organisation") is None
    assert (
        manon.get(f"/agent/dossiers/{submitted['id']}", params={"purpose": "x" * 301}).status_code
        == 422
    )
    assert CITIZEN not in {e["accessor"]["nrn"] for e in mine}
