"""``bulk submit`` against a real portal: one dossier per row, rejections, reports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from bulk_support import CLIENTS, NOT_COVERED, many_rows, sheet_row, write_sheet


def test_full_run_files_exactly_one_dossier_per_row(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_sheet(tmp_path, many_rows(8, tag))
    report = tmp_path / "report.csv"
    done = b.run(
        "bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "full", "--report", str(report)
    )
    assert done.code == 0, done.err
    assert "all 8 rows submitted" in done.err
    b.assert_one_dossier_per_row("full", 8)
    with report.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.DictReader(handle, delimiter=";"))
    assert [line["status"] for line in lines] == ["submitted"] * 8
    assert all(line["dossier_id"].startswith("MSP-") for line in lines)


def test_rejected_rows_are_reported_and_the_others_go_on(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    rows = many_rows(3, tag)
    rows.append(sheet_row(NOT_COVERED, tag, 5))  # no active mandate: the portal says 403
    invalid = sheet_row(CLIENTS[0], tag, 6)
    invalid["/workers/0/category"] = "retired"  # not in the form's enum: submit answers 422
    rows.append(invalid)
    bad_date = sheet_row(CLIENTS[1], tag, 7)
    bad_date["/workers/0/start_date"] = "31/02/2026"  # caught locally: nothing sent
    rows.append(bad_date)
    sheet = write_sheet(tmp_path, rows)
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "mixed")
    assert done.code == 7, done.err
    assert "3 rows submitted, 3 rejected" in done.err
    report = b.run("bulk", "report", "mixed", "-o", "json")
    assert report.code == 0, report.err
    lines = {line["row"]: line for line in json.loads(report.out)}
    assert [lines[n]["status"] for n in (2, 3, 4)] == ["submitted"] * 3
    assert lines[5]["status"] == "rejected" and lines[5]["dossier_id"] is None
    assert NOT_COVERED in lines[5]["beneficiary"]
    assert lines[6]["status"] == "rejected" and lines[6]["dossier_id"].startswith("MSP-")
    assert "/workers/0/category" in lines[6]["error"]
    assert lines[7]["status"] == "rejected" and "/workers/0/start_date" in lines[7]["error"]
    expected = {lines[n]["dossier_id"]: "submitted" for n in (2, 3, 4)}
    assert b.filed() == {**expected, lines[6]["dossier_id"]: "draft"}


def test_none_succeeded_exits_5(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_sheet(tmp_path, [sheet_row(NOT_COVERED, tag, 2)])
    done = b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet))
    assert done.code == 5, done.err
    assert "no row was submitted" in done.err


def test_resume_with_another_file_is_refused(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_sheet(tmp_path, many_rows(2, tag))
    assert b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "j1").code == 0
    other = write_sheet(tmp_path, many_rows(3, tag), name="other.csv")
    refused = b.run("bulk", "resume", "j1", "--file", str(other))
    assert refused.code == 5
    assert "is not the file job j1 was started from" in refused.err
    assert "Traceback" not in refused.err
    sheet.write_bytes(sheet.read_bytes() + b"\r\n")  # the same path, edited since
    assert "is not the file" in b.run("bulk", "resume", "j1").err
    missing = b.run("bulk", "resume", "nosuchjob")
    assert missing.code == 4 and "No bulk job nosuchjob" in missing.err


def test_status_and_follow(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_sheet(tmp_path, many_rows(2, tag))
    assert b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "s1").code == 0
    listing = b.run("bulk", "status", "-o", "json")
    assert [job["job"] for job in json.loads(listing.out)] == ["s1"]
    one = json.loads(b.run("bulk", "status", "s1", "-o", "json").out)
    assert one["submitted"] == 2 and one["unfinished"] == 0
    follow = b.run("bulk", "follow", "s1", "--once", "-o", "json")
    assert follow.code == 0, follow.err
    assert {line["dossier_status"] for line in json.loads(follow.out)} == {"submitted"}


def test_example_files_of_the_docs(bulk, tmp_path: Path) -> None:
    """docs/examples/bulk: the cp1252 Excel sheet and its mapping pass the dry run and file."""
    from cli_helpers import ROOT

    b = bulk()
    folder = ROOT / "docs" / "examples" / "bulk"
    args = [
        "bulk",
        "submit",
        "-p",
        "SESAM",
        "-f",
        str(folder / "clients.csv"),
        "--map",
        str(folder / "mapping.toml"),
    ]
    dry = b.run(*args, "--dry-run")
    assert dry.code == 0, dry.out + dry.err
    done = b.run(*args)
    assert done.code == 0, done.err
    assert "all 4 rows submitted" in done.err
