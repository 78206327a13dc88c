"""``bulk submit --dry-run``: every problem of every row at once, nothing sent."""

from __future__ import annotations

import json
from pathlib import Path

from bulk_support import CLIENTS, NOT_COVERED, sheet_row, write_sheet


def test_dry_run_reports_every_error_with_row_column_reason(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    good = sheet_row(CLIENTS[0], tag, 2)
    bad_bce = sheet_row("0641238592", tag, 3)
    uncovered = sheet_row(NOT_COVERED, tag, 4)
    many = sheet_row(CLIENTS[1], tag, 5)
    many["/workers/0/start_date"] = "32/13/2026"
    many["/workers/0/gross_monthly_salary"] = "beaucoup"
    many["/iban"] = "BE00 0000 0000 0000"
    many["/workers/0/category"] = "retired"
    many["attachment:sme_check"] = "absent.pdf"
    missing = sheet_row(CLIENTS[2], tag, 6)
    missing["/development_project"] = ""
    missing["attachment:employment_contracts"] = ""
    sheet = write_sheet(tmp_path, [good, bad_bce, uncovered, many, missing])
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--dry-run", "-o", "json")
    assert done.code == 5, done.err
    assert "4 of 5 rows have problems" in done.err
    found = {(e["row"], e["column"]) for e in json.loads(done.out)}
    assert found == {
        (3, "bce"),
        (4, "bce"),
        (5, "/workers/0/start_date"),
        (5, "/workers/0/gross_monthly_salary"),
        (5, "/iban"),
        (5, "/workers/0/category"),
        (5, "attachment:sme_check"),
        (6, "/development_project"),
        (6, "attachment:employment_contracts"),
    }
    reasons = {(e["row"], e["column"]): e["reason"] for e in json.loads(done.out)}
    assert "not a valid BCE number" in reasons[(3, "bce")]
    assert "may not act for 0477620377" in reasons[(4, "bce")]
    assert "Not a valid IBAN" in reasons[(5, "/iban")]
    assert b.filed() == {}  # nothing was sent


def test_dry_run_of_a_clean_file(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_sheet(
        tmp_path,
        [sheet_row(bce, tag, i + 2) for i, bce in enumerate(CLIENTS)],
        encoding="utf-8-sig",
    )
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--dry-run")
    assert done.code == 0, done.err
    assert "all 4 rows are ready" in done.err
    assert b.filed() == {}


def test_unreadable_inputs_get_one_clear_sentence(bulk, tmp_path: Path) -> None:
    b = bulk()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"bce;/iban\r\n0641238591;\x81\x8d\r\n")  # bytes cp1252 does not define
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(bad), "--dry-run")
    assert done.code == 5 and "--encoding" in done.err and "Traceback" not in done.err
    nobce = tmp_path / "nobce.csv"
    nobce.write_text("/iban\nBE33363190246746\n")
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(nobce), "--dry-run")
    assert done.code == 5 and "beneficiary" in done.err
    mapping = tmp_path / "map.toml"
    mapping.write_text("[columns\n")
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(nobce), "--map", str(mapping))
    assert done.code == 5 and "not valid TOML" in done.err
