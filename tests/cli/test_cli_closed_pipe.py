"""``monespace … | head``: a reader that leaves is a normal end (exit 0, nothing printed).

The read end of the pipe is closed before the command writes, so every
write fails with EPIPE, whichever path prints (Click's echo, rich tables,
the final flush at exit): the same situation as ``| head -1`` after a
large output, without depending on pipe buffer sizes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ROOT, cli_env


def run_into_closed_pipe(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "monespace_cli", *args],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["completion", "bash"],
        ["catalog", "list"],
        ["catalog", "list", "-o", "json"],
        ["catalog", "list", "-o", "csv"],
        ["catalog", "list", "-o", "jsonl"],
        ["catalog", "show", "SESAM", "-o", "json"],
    ],
)
def test_closed_pipe_is_a_normal_end(args: list[str], portal_server: Any, tmp_path: Path) -> None:
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url)
    code, err = run_into_closed_pipe(args, env)
    assert code == 0, err
    assert err == ""
