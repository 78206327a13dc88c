"""Reports that say everything once: the real run lists every problem of a refused row
(as the dry run does), one problem per cell, and ``--excel`` gives a file Excel opens."""

from __future__ import annotations

import json
from pathlib import Path

from bulk_support import CLIENTS, sheet_row, write_sheet

WRONG = {
    "/workers/0/start_date": "32/13/2026",
    "/workers/0/gross_monthly_salary": "beaucoup",
    "/iban": "BE00 0000 0000 0000",
    "/workers/0/category": "retired",
    "attachment:sme_check": "absent.pdf",
}


def _sheet(tmp_path: Path, tag: str) -> Path:
    bad = sheet_row(CLIENTS[1], tag, 3)
    bad.update(WRONG)
    return write_sheet(tmp_path, [sheet_row(CLIENTS[0], tag, 2), bad])


def test_one_problem_per_cell_in_the_dry_run(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(_sheet(tmp_path, tag)), "--dry-run")
    assert done.code == 5
    listed = b.run(
        "bulk", "submit", "-p", "SESAM", "-f", str(_sheet(tmp_path, tag)), "--dry-run", "-o", "json"
    )
    cells = [(e["row"], e["column"]) for e in json.loads(listed.out)]
    assert len(cells) == len(set(cells)), cells  # an unreadable date is not also "required"
    assert {c for r, c in cells if r == 3} == set(WRONG)


def test_real_run_reports_every_problem_of_a_refused_row(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(_sheet(tmp_path, tag)), "--job", "all")
    assert done.code == 7, done.err
    error = b.report("all")[3]["error"]
    for column in WRONG:
        assert column in error, error
    assert b.report("all")[2]["status"] == "submitted"


def test_report_for_excel(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_sheet(tmp_path, [sheet_row(CLIENTS[0], tag, 2)])
    assert b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "xl").code == 0
    done = b.run("bulk", "report", "xl", "--excel")
    assert done.code == 0, done.err
    assert done.out.startswith("\ufeffrow;beneficiary;dossier_id;status;")
    assert f"2;{CLIENTS[0]};MSP-" in done.out
