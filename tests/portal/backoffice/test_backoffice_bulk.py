"""Bulk actions: the dry run equals the real run; a dossier changed meanwhile is skipped."""

from __future__ import annotations

from .conftest import ARNE_AGENT, ARNE_SUPERVISOR, EER_AGENT


def _without_version(results):
    return [{k: v for k, v in r.items()} for r in results]


def test_dry_run_lists_exactly_what_the_real_run_does(agent, supervisor, submit_permit, citizen):
    dossiers = [submit_permit() for _ in range(4)]
    ids = [d["id"] for d in dossiers]
    supervisor.ok("post", f"/agent/dossiers/{ids[1]}/claim")  # someone else's: claim fails
    withdrawn = citizen.ok("post", f"/dossiers/{ids[2]}/withdraw")  # no longer open
    assert withdrawn["status"] == "withdrawn"
    request = {"action": "claim", "ids": [*ids, "MSP-2026-999999", ids[0]]}
    dry = agent.ok("post", "/agent/bulk", json={**request, "dry_run": True})
    assert dry["dry_run"] is True
    assert agent.ok("get", f"/agent/dossiers/{ids[0]}")["assigned_to"] is None  # nothing written
    real = agent.ok("post", "/agent/bulk", json=request)
    assert real["dry_run"] is False
    assert real["results"] == dry["results"] and real["summary"] == dry["summary"]
    outcomes = [(r["id"], r["outcome"], r["old_status"], r["new_status"]) for r in real["results"]]
    assert outcomes == [
        (ids[0], "changed", "submitted", "in_review"),
        (ids[1], "failed", "in_review", "in_review"),
        (ids[2], "failed", "withdrawn", "withdrawn"),
        (ids[3], "changed", "submitted", "in_review"),
        ("MSP-2026-999999", "failed", None, None),
    ]
    assert real["summary"] == {"changed": 2, "skipped": 0, "failed": 3}
    assert agent.ok("get", f"/agent/dossiers/{ids[3]}")["assigned_to"]["nrn"] == ARNE_AGENT


def test_a_dossier_changed_after_the_dry_run_is_skipped_not_overwritten(
    agent, supervisor, submit_permit
):
    ids = [submit_permit()["id"] for _ in range(3)]
    for dossier_id in ids:
        agent.ok("post", f"/agent/dossiers/{dossier_id}/claim")
    decide = {"outcome": "accept", "motivation": "Dossier complet, permis accordé."}
    dry = agent.ok(
        "post",
        "/agent/bulk",
        json={"action": "decide", "params": decide, "ids": ids, "dry_run": True},
    )
    items = [{"id": r["id"], "version": r["version"]} for r in dry["results"]]
    assert [r["outcome"] for r in dry["results"]] == ["changed"] * 3
    # meanwhile the supervisor reassigns the second one
    supervisor.ok("post", f"/agent/dossiers/{ids[1]}/assign", json={"nrn": ARNE_SUPERVISOR})
    real = agent.ok(
        "post", "/agent/bulk", json={"action": "decide", "params": decide, "items": items}
    )
    outcomes = {r["id"]: (r["outcome"], r.get("reason")) for r in real["results"]}
    assert outcomes == {
        ids[0]: ("changed", None),
        ids[1]: ("skipped", "changed"),
        ids[2]: ("changed", None),
    }
    second = agent.ok("get", f"/agent/dossiers/{ids[1]}")
    assert second["status"] == "in_review" and second["assigned_to"]["nrn"] == ARNE_SUPERVISOR
    first = agent.ok("get", f"/agent/dossiers/{ids[0]}")
    assert first["status"] == "accepted" and first["decision_document_id"]


def test_bulk_over_a_filter(as_user, seeded):
    piron = as_user(EER_AGENT)
    flt = {"service": "FOREM", "status": "submitted", "assigned": "none"}
    expected = {
        i["id"] for i in piron.ok("get", "/agent/queue", params={**flt, "limit": 500})["items"]
    }
    assert expected
    dry = piron.ok("post", "/agent/bulk", json={"action": "claim", "filter": flt, "dry_run": True})
    assert {r["id"] for r in dry["results"]} == expected
    real = piron.ok("post", "/agent/bulk", json={"action": "claim", "filter": flt})
    assert real["results"] == dry["results"]
    assert real["summary"]["changed"] == len(expected)
    left = piron.ok("get", "/agent/queue", params={**flt, "limit": 500})["items"]
    assert left == []


def test_bulk_request_errors(agent, submitted):
    cases = [
        {"action": "claim"},  # no ids, items or filter
        {"action": "claim", "ids": [submitted["id"]], "filter": {}},
        {"action": "explode", "ids": [submitted["id"]]},
        {"action": "decide", "ids": [submitted["id"]], "params": {"outcome": "accept"}},
        {"action": "assign", "ids": [submitted["id"]]},
        {"action": "claim", "ids": ["MSP-2026-000001"] * 5001},
        {"action": "claim", "filter": {"colour": "red"}},
    ]
    for body in cases:
        answer = agent.post("/agent/bulk", json=body)
        assert answer.status_code == 422, (
            body if len(str(body)) < 200 else body["action"],
            answer.text[:300],
        )


def test_bulk_assign_fails_per_dossier_for_a_non_supervisor(agent, supervisor, submit_permit):
    ids = [submit_permit()["id"] for _ in range(2)]
    denied = agent.ok(
        "post", "/agent/bulk", json={"action": "assign", "params": {"nrn": ARNE_AGENT}, "ids": ids}
    )
    assert [r["outcome"] for r in denied["results"]] == ["failed", "failed"]
    done = supervisor.ok(
        "post", "/agent/bulk", json={"action": "assign", "params": {"nrn": ARNE_AGENT}, "ids": ids}
    )
    assert [r["outcome"] for r in done["results"]] == ["changed", "changed"]
