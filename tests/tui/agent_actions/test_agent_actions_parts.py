"""The pure parts: summaries, merging a run's results, counting rows, filters, due dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tui.agent_actions import (
    assignable_agents,
    changed_ids,
    count_rows,
    export_filters,
    merge_results,
)
from tui.widgets.agent_dialog_bulk import grouped_reasons, summary_lines
from tui.widgets.agent_dialogs import InvalidInput, due_date

R = [
    {"id": "A", "version": 1, "outcome": "changed"},
    {"id": "B", "version": 1, "outcome": "skipped", "reason": "changed"},
    {"id": "C", "version": 1, "outcome": "failed", "reason": "closed"},
    {"id": "D", "version": 1, "outcome": "failed", "reason": "not visible"},
    {"id": "E", "version": 1, "outcome": "failed", "reason": "closed"},
]


def test_summary_groups_reasons_most_frequent_first() -> None:
    assert grouped_reasons(R, "failed") == [("closed", 2), ("not visible", 1)]
    assert summary_lines(R, dry_run=True) == [
        "Will change: 1",
        "Skipped: 1 (changed: 1)",
        "Failed: 3 (closed: 2, not visible: 1)",
    ]
    assert summary_lines([], dry_run=False) == ["Changed: 0", "Skipped: 0", "Failed: 0"]


def test_merge_keeps_dry_run_refusals_and_marks_unsent() -> None:
    preview = [*R, {"id": "F", "version": 2, "outcome": "changed"}]
    done = [{"id": "A", "version": 1, "outcome": "skipped", "reason": "changed"}]
    merged = merge_results(preview, done, [{"id": "F", "version": 2}])
    assert [m["id"] for m in merged] == ["A", "B", "C", "D", "E", "F"]
    assert merged[0]["reason"] == "changed" and merged[2] is preview[2]
    assert merged[5]["outcome"] == "skipped" and merged[5]["reason"] == "not sent (stopped)"
    assert changed_ids(merged) == []


def test_count_rows_reads_csv_as_csv(tmp_path: Path) -> None:
    plain = tmp_path / "q.csv"
    plain.write_text('id,title\r\nA,"two\r\nlines"\r\nB,x\r\n', encoding="utf-8", newline="")
    assert count_rows(plain, "csv", excel=False) == 2
    excel = tmp_path / "x.csv"
    excel.write_bytes("\ufeffid;title\r\nA;x\r\n".encode())
    assert count_rows(excel, "csv", excel=True) == 1
    lines = tmp_path / "q.jsonl"
    lines.write_text('{"id": "A"}\n{"id": "B"}\n', encoding="utf-8")
    assert count_rows(lines, "jsonl", excel=False) == 2


def test_export_filters_drop_paging_and_empties() -> None:
    given = {"status": "all", "q": "", "overdue": False, "cursor": "x", "limit": 5, "sort": "due"}
    assert export_filters(given) == {"status": "all", "sort": "due"}


def test_assign_offered_only_to_supervisors_of_every_service() -> None:
    services = [
        {"code": "S1", "role": "supervisor", "agents": [{"nrn": "1", "name": "Un"}]},
        {"code": "S2", "role": "agent", "agents": [{"nrn": "2", "name": "Deux"}]},
    ]
    assert assignable_agents(services, [{"service": "S1"}, {"service": "S2"}]) is None
    assert assignable_agents(services, [{"service": "S3"}]) is None
    agents = assignable_agents(services, [{"service": "S1"}])
    assert agents == {"1": ({"nrn": "1", "name": "Un"}, ["S1"])}


@pytest.mark.parametrize(
    ("text", "iso"),
    [("+14d", "2026-12-07"), ("31/12/2026", "2026-12-31"), (" 2026-11-24 ", "2026-11-24")],
)
def test_due_dates_as_the_cli_reads_them(text: str, iso: str) -> None:
    assert due_date(text, dt.date(2026, 11, 23)) == iso


@pytest.mark.parametrize("text", ["", "demain", "2026-11-23", "+0d", "31/02/2027"])
def test_bad_or_past_due_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        due_date(text, dt.date(2026, 11, 23))
