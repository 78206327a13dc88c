"""``bulk follow`` piped: every row once, then one line per change, ending by itself
when every dossier is decided (the help's promise; it used to print once and exit)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from bulk_support import CLIENTS, sheet_row, write_sheet


def _withdraw(b, line: dict) -> None:
    headers = {"Authorization": f"Bearer {b.token}", "X-Acting-As": line["beneficiary"]}
    with httpx.Client(base_url=b.server.url + "/api/v1", headers=headers, timeout=30) as api:
        answer = api.post(f"/dossiers/{line['dossier_id']}/withdraw")
    assert answer.status_code == 200, answer.text


def _read_line(stream, deadline: float) -> dict:
    line = stream.readline()
    assert line, "follow ended early"
    assert time.monotonic() < deadline
    return json.loads(line)


def test_piped_follow_streams_changes_until_all_are_decided(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_sheet(tmp_path, [sheet_row(CLIENTS[0], tag, 2), sheet_row(CLIENTS[1], tag, 3)])
    assert b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "fol").code == 0
    report = b.report("fol")
    follow = b.popen("bulk", "follow", "fol", "--interval", "1", "-o", "jsonl")
    try:
        deadline = time.monotonic() + 60
        first = [_read_line(follow.stdout, deadline) for _ in range(2)]
        assert {(x["row"], x["dossier_status"]) for x in first} == {
            (2, "submitted"),
            (3, "submitted"),
        }
        _withdraw(b, report[2])
        change = _read_line(follow.stdout, deadline)
        assert (change["row"], change["dossier_status"]) == (2, "withdrawn")
        assert follow.poll() is None  # row 3 is still open: it keeps following
        _withdraw(b, report[3])
        change = _read_line(follow.stdout, deadline)
        assert (change["row"], change["dossier_status"]) == (3, "withdrawn")
        assert follow.wait(timeout=30) == 0
        assert "Every dossier of the job is decided." in follow.stderr.read()
    finally:
        if follow.poll() is None:
            follow.kill()
            follow.wait()


def test_follow_on_a_terminal_shows_counts_per_status(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk()
    sheet = write_sheet(tmp_path, [sheet_row(CLIENTS[2], tag, 2)])
    assert b.run("bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "tty").code == 0
    _withdraw(b, b.report("tty")[2])
    done = b.run("bulk", "follow", "tty", "--interval", "1")
    assert done.code == 0, done.err
    env_tty = {**b.env, "MONESPACE_FORCE_TTY": "1", "COLUMNS": "100", "LINES": "30"}
    from cli_helpers import run_cli

    shown = run_cli(["bulk", "follow", "tty", "--interval", "1"], env_tty)
    assert shown.code == 0, shown.err
    assert "withdrawn" in shown.out and "Rows: 1" in shown.out
