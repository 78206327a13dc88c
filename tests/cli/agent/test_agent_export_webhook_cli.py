"""``monespace agent export`` and ``agent webhook``, against the real portal.

Exports are read back with the csv module and compared cell by cell with
the queue items of the same dossiers; a failed export must leave neither a
truncated file nor a temporary one behind.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Any

from agent_support import AGENT, FIDUCIAIRE

FIELDS = [
    "id",
    "procedure",
    "service",
    "title",
    "status",
    "applicant_kind",
    "applicant_id",
    "applicant_name",
    "submitted_at",
    "decision_due_at",
    "overdue",
    "assigned_to",
    "assigned_name",
    "updated_at",
]


def ok_json(result: Any) -> Any:
    assert result.code == 0, (result.code, result.err)
    return json.loads(result.out)


def expected_row(item: dict[str, Any]) -> dict[str, str]:
    """The export row of a queue item (docs/api.md field list)."""
    assignee = item.get("assigned_to") or {}
    return {
        "id": item["id"],
        "procedure": item["procedure"],
        "service": item["service"],
        "title": item["title"],
        "status": item["status"],
        "applicant_kind": item["applicant"]["kind"],
        "applicant_id": item["applicant"]["id"],
        "applicant_name": item["applicant"]["name"],
        "submitted_at": item["submitted_at"] or "",
        "decision_due_at": item["decision_due_at"] or "",
        "overdue": "true" if item["overdue"] else "false",
        "assigned_to": assignee.get("nrn", ""),
        "assigned_name": assignee.get("name", ""),
        "updated_at": item["updated_at"],
    }


def _queue_item(agent, dossier_id: str) -> dict[str, Any]:
    return ok_json(
        agent("agent", "queue", "--status", "all", "--search", dossier_id, "-o", "json")
    )[0]


def test_csv_export_to_a_file_cell_by_cell(agent, file_dossier, tmp_path: Path) -> None:
    claimed, waiting = file_dossier(), file_dossier()
    assert agent("agent", "claim", claimed).code == 0
    target = tmp_path / "out" / "queue.csv"
    target.parent.mkdir()
    done = agent("agent", "export", "--search", FIDUCIAIRE, "--file", str(target))
    assert done.code == 0, done.err
    raw = target.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    with target.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert header == FIELDS
    by_id = {row["id"]: row for row in rows}
    for dossier_id in (claimed, waiting):
        expected = expected_row(_queue_item(agent, dossier_id))
        for field in FIELDS:
            assert by_id[dossier_id][field] == expected[field], (dossier_id, field)
    assert by_id[claimed]["assigned_to"] == AGENT
    assert [p.name for p in target.parent.iterdir()] == ["queue.csv"]  # no temporary left


def test_excel_variant_has_a_bom_and_semicolons(agent, file_dossier, tmp_path: Path) -> None:
    dossier_id = file_dossier()
    target = tmp_path / "excel.csv"
    fields = "id,applicant_name,status"
    done = agent(
        "agent", "export", "--search", dossier_id, "--excel", "--fields", fields,
        "--file", str(target),
    )  # fmt: skip
    assert done.code == 0, done.err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    item = _queue_item(agent, dossier_id)
    assert rows == [
        ["id", "applicant_name", "status"],
        [dossier_id, item["applicant"]["name"], item["status"]],
    ]


def test_jsonl_export_to_stdout(agent, file_dossier) -> None:
    dossier_id = file_dossier()
    done = agent(
        "agent", "export", "-o", "jsonl", "--search", dossier_id, "--fields", "id,status,overdue"
    )
    assert done.code == 0, done.err
    assert [json.loads(line) for line in done.out.splitlines()] == [
        {"id": dossier_id, "status": "submitted", "overdue": False}
    ]


def test_a_failed_export_leaves_the_old_file_alone(agent, tmp_path: Path) -> None:
    target = tmp_path / "queue.csv"
    target.write_text("previous export\n")
    failed = agent("agent", "export", "--older-than", "99999", "--file", str(target))
    assert failed.code == 5, failed.err  # the portal refuses the filter
    assert target.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name != target.name and "queue" in p.name] == []
    assert agent("agent", "export", "-o", "json").code == 2
    assert agent("agent", "export", "--fields", "id,notes").code == 2
    assert agent("agent", "export", "-o", "jsonl", "--excel").code == 2


def test_webhooks_add_list_deliveries_replay_remove(supervisor, agent, file_dossier) -> None:
    added = supervisor(
        "agent", "webhook", "add", "--service", "SPW-EER", "--url", "http://127.0.0.1:9/hook",
        "--event", "dossier.submitted", "--description", "GED du service",
    )  # fmt: skip
    assert added.code == 0, added.err
    secret = added.out.strip()
    assert secret.startswith("whsec_")
    assert "not be shown again" in added.err
    hooks = ok_json(agent("agent", "webhook", "list", "--service", "SPW-EER", "-o", "json"))
    mine = [h for h in hooks if h["description"] == "GED du service"]
    assert mine and "secret" not in mine[-1]
    webhook_id = mine[-1]["id"]
    assert webhook_id in supervisor("agent", "webhook", "list").out
    assert secret not in supervisor("agent", "webhook", "list", "-o", "json").out

    file_dossier()  # a submission: one delivery, failing (nothing listens on port 9)
    deliveries: list[dict[str, Any]] = []
    deadline = time.monotonic() + 30
    while not [d for d in deliveries if d["attempts"] >= 1] and time.monotonic() < deadline:
        time.sleep(1)
        deliveries = ok_json(agent("agent", "webhook", "deliveries", webhook_id, "-o", "json"))
    assert deliveries, "no delivery recorded"
    assert deliveries[0]["event_type"] == "dossier.submitted"
    assert deliveries[0]["status"] == "pending" and deliveries[0]["last_error"]
    replayed = ok_json(supervisor("agent", "webhook", "replay", deliveries[0]["id"], "-o", "json"))
    assert replayed["message_id"] == deliveries[0]["message_id"]
    assert replayed["status"] == "pending"
    assert agent("agent", "webhook", "deliveries", webhook_id, "--status", "lost").code == 2

    assert supervisor("agent", "webhook", "remove", webhook_id).code == 2  # needs --yes
    removed = supervisor("agent", "webhook", "remove", webhook_id, "--yes")
    assert removed.code == 0, removed.err
    assert webhook_id not in supervisor("agent", "webhook", "list").out


def test_webhook_refusals(supervisor, agent) -> None:
    by_agent = agent(
        "agent", "webhook", "add", "--service", "SPW-EER", "--url", "https://ged.example.be/hook",
        "--event", "*",
    )  # fmt: skip
    assert by_agent.code == 3, by_agent.err
    assert "supervisor" in by_agent.err
    bad_url = supervisor(
        "agent", "webhook", "add", "--service", "SPW-EER", "--url", "ftp://ged.example.be/",
        "--event", "*",
    )  # fmt: skip
    assert bad_url.code == 5, bad_url.err
    bad_event = supervisor(
        "agent", "webhook", "add", "--service", "SPW-EER", "--url", "https://ged.example.be/",
        "--event", "dossier.eaten",
    )  # fmt: skip
    assert bad_event.code == 2
