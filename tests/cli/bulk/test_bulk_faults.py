"""Faults through the real CLI and a real portal: kill -9, Ctrl-C, restarts, 503/429.

The promise under test: whatever happens, ``bulk resume`` finishes the job
with exactly one submitted dossier per row, none lost, none duplicated
(counted on the portal, in each client's context, as the accountant).
The portal answers a little late (``delay`` fault) so that kills and
restarts land in the middle of the work.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from bulk_support import Bulk, many_rows, write_sheet

SLOW = {"MONESPACE_PORTAL_FAULTS": "delay=0.03:0.1"}
ROWS = 30


def progressed(b: Bulk, job: str) -> int:
    """Rows past ``pending`` in the job's journal (0 while it does not exist)."""
    path = b.journal(job)
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as conn:
            return int(
                conn.execute("SELECT count(*) FROM rows WHERE state != 'pending'").fetchone()[0]
            )
    except sqlite3.DatabaseError:
        return 0


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_kill_9_at_random_points_then_resume(bulk, tmp_path: Path, tag: str) -> None:
    """SIGKILL three times at random moments of the work (between and during requests)."""
    b = bulk(**SLOW)
    sheet = write_sheet(tmp_path, many_rows(ROWS, tag))
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    submit = ("submit", "-p", "SESAM", "-f", str(sheet), "--job", "k9")
    for attempt in range(3):
        args = ("resume", "k9") if b.journal("k9").exists() else submit
        proc = b.popen("bulk", *args, "--concurrency", "3")
        target = min(ROWS - 1, progressed(b, "k9") + rng.randint(1, 8))
        wait_for(lambda t=target, p=proc: progressed(b, "k9") >= t or p.poll() is not None)
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode in (-signal.SIGKILL, 0), (seed, attempt, proc.stderr.read())
    done = b.run("bulk", "resume", "k9")
    assert done.code == 0, (seed, done.err)
    b.assert_one_dossier_per_row("k9", ROWS)


def test_ctrl_c_stops_cleanly_then_resume_completes(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk(**SLOW)
    sheet = write_sheet(tmp_path, many_rows(ROWS, tag))
    proc = b.popen(
        "bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "cc", "--concurrency", "2"
    )
    wait_for(lambda: progressed(b, "cc") >= 2)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "monespace bulk resume cc" in err
    assert "Traceback" not in err
    status = b.run("bulk", "status", "cc", "-o", "json")
    assert '"unfinished": 0' not in status.out  # it really stopped before the end
    done = b.run("bulk", "resume", "cc")
    assert done.code == 0, done.err
    b.assert_one_dossier_per_row("cc", ROWS)


@pytest.mark.slow
def test_portal_restarted_mid_run(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk(**SLOW)
    sheet = write_sheet(tmp_path, many_rows(ROWS, tag))
    proc = b.popen(
        "bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "rs", "--concurrency", "3"
    )
    wait_for(lambda: progressed(b, "rs") >= 3)
    b.server.stop()
    time.sleep(1.0)
    b.server.start(timeout=90)
    _out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    b.assert_one_dossier_per_row("rs", ROWS)


@pytest.mark.slow
def test_portal_answering_503_and_429_at_random(bulk, tmp_path: Path, tag: str) -> None:
    # 30 % of requests refused: a request fails its 10 tries once in ~170,000.
    b = bulk(MONESPACE_PORTAL_FAULTS="503=0.15,429=0.15")
    sheet = write_sheet(tmp_path, many_rows(20, tag))
    done = b.run(
        "bulk",
        "submit",
        "-p",
        "SESAM",
        "-f",
        str(sheet),
        "--job",
        "ff",
        "--concurrency",
        "4",
        timeout=240,
    )
    assert done.code == 0, done.err
    b.assert_one_dossier_per_row("ff", 20)
