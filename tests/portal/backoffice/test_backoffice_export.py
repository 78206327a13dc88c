"""Exports read back with the csv module, cell by cell; formula injection neutralised."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import update

from portal.backoffice.export import FIELDS, safe_cell
from portal.models import Dossier, parse_dossier_id

from .conftest import EER_AGENT

NASTY = '=HYPERLINK("http://evil.example","x")'


def _rename(portal_app, dossier_id: str, name: str) -> None:
    with portal_app.state.sessionmaker() as db:
        db.execute(
            update(Dossier)
            .where(Dossier.id == parse_dossier_id(dossier_id)[1])
            .values(applicant_name=name)
        )
        db.commit()


def test_csv_export_cell_by_cell(portal_app, agent, submit_permit):
    first, second = submit_permit(), submit_permit()
    _rename(portal_app, first["id"], NASTY)
    _rename(portal_app, second["id"], '-1+2 @Dubois; "quoted", comma')
    agent.post(f"/agent/notes/{first['id']}")  # (no such path: notes are never exported)
    agent.ok("post", f"/agent/dossiers/{first['id']}/notes", 201, json={"body": "SECRET-NOTE"})
    answer = agent.get("/agent/export", params={"format": "csv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="queue-')
    text = answer.content.decode("utf-8")
    assert not text.startswith("\ufeff") and "\r\n" in text and "SECRET-NOTE" not in text
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0] == list(FIELDS)
    rows = {r[0]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    queue = {i["id"]: i for i in agent.ok("get", "/agent/queue", params={"limit": 500})["items"]}
    assert set(rows) == set(queue)
    for dossier_id, item in queue.items():
        row = rows[dossier_id]
        assert row["procedure"] == item["procedure"] and row["service"] == "SPW-ARNE"
        assert row["status"] == item["status"] and row["submitted_at"] == item["submitted_at"]
        assert row["applicant_kind"] == "person" and row["applicant_id"] == item["applicant"]["id"]
        assert row["overdue"] == ("true" if item["overdue"] else "false")
        assert row["assigned_to"] == "" and row["decision_due_at"] == item["decision_due_at"]
    assert rows[first["id"]]["applicant_name"] == "'" + NASTY
    assert rows[second["id"]]["applicant_name"] == '\'-1+2 @Dubois; "quoted", comma'


def test_excel_variant_has_bom_and_semicolons(portal_app, agent, submitted):
    _rename(portal_app, submitted["id"], "@SUM(A1:A9)")
    answer = agent.get(
        "/agent/export", params={"excel": "true", "fields": "id,applicant_name,status"}
    )
    raw = answer.content
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert table == [
        ["id", "applicant_name", "status"],
        [submitted["id"], "'@SUM(A1:A9)", "submitted"],
    ]
    assert raw.count(b";") == 4


def test_jsonl_export_with_chosen_fields(as_user, seeded):
    piron = as_user(EER_AGENT)
    answer = piron.get(
        "/agent/export", params={"format": "jsonl", "fields": "id,status,overdue", "status": "all"}
    )
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines()]
    counts = piron.ok("get", "/agent/queue/counts")["counts"]
    assert len(lines) == sum(counts.values()) and len({r["id"] for r in lines}) == len(lines)
    assert all(
        set(r) == {"id", "status", "overdue"} and isinstance(r["overdue"], bool) for r in lines
    )


def test_export_errors(agent):
    assert agent.get("/agent/export", params={"fields": "id,secret"}).status_code == 422
    assert agent.get("/agent/export", params={"format": "xlsx"}).status_code == 422


def test_safe_cell():
    for dangerous in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    assert safe_cell("Dubois") == "Dubois" and safe_cell(None) == "" and safe_cell(True) == "true"
