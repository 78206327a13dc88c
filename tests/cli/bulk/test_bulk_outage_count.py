"""After a lasting outage the message counts every row left, as ``bulk status`` does.

It used to say "1 rows could not be filed" (the one row whose retries ran
out) while 183 were left.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from bulk_support import many_rows, write_sheet

ROWS = 20


@pytest.mark.slow
def test_outage_message_counts_every_row_left(bulk, tmp_path: Path, tag: str) -> None:
    b = bulk(MONESPACE_PORTAL_FAULTS="delay=0.05:0.1")
    sheet = write_sheet(tmp_path, many_rows(ROWS, tag))
    proc = b.popen(
        "bulk", "submit", "-p", "SESAM", "-f", str(sheet), "--job", "out", "--concurrency", "2"
    )
    deadline = time.monotonic() + 60
    while not b.journal("out").exists() or b.run("bulk", "status", "out", "-o", "json").code:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    b.server.stop()
    try:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 1, err
        status = json.loads(b.run("bulk", "status", "out", "-o", "json").out)
        left = status["unfinished"]
        assert left > 1
        said = re.search(r"(\d+) rows? could not be filed", err)
        assert said is not None, err
        assert int(said.group(1)) == left, (err, status)
        assert "bulk resume out" in err
    finally:
        b.server.start(timeout=90)
    resumed = b.run("bulk", "resume", "out", timeout=240)
    assert resumed.code == 0, resumed.err
    b.assert_one_dossier_per_row("out", ROWS)
