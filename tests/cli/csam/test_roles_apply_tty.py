"""``roles apply`` on a real pseudo-terminal: it shows the plan and asks before writing."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from cli_helpers import ROOT
from csam_support import ARDENNE, KEVIN, SOPHIE


def _apply_on_tty(env: dict[str, str], path: Path, answer: str) -> tuple[int, str]:
    """Run ``roles apply`` on a pty, answer the question, return exit code and screen."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "monespace_cli", "roles", "apply", "-f", str(path)],
        env={**env, "TERM": "dumb", "COLUMNS": "200"},
        cwd=ROOT,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    seen = ""
    deadline = time.monotonic() + 30
    try:
        while "[y/N]" not in seen:
            assert time.monotonic() < deadline, f"no question; screen:\n{seen}"
            if select.select([master], [], [], 0.5)[0]:
                try:
                    seen += os.read(master, 4096).decode(errors="replace")
                except OSError:  # the CLI ended without asking
                    raise AssertionError(f"ended without asking; screen:\n{seen}") from None
        os.write(master, answer.encode() + b"\r")
        code = proc.wait(timeout=30)
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk.decode(errors="replace")
        return code, seen
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()


def test_apply_shows_the_plan_and_asks(cli_as, tmp_path: Path) -> None:
    kevin = cli_as(KEVIN)
    exported = kevin("roles", "export", "--org", ARDENNE).out
    original = tmp_path / "original.yaml"
    original.write_text(exported)
    wanted = tmp_path / "roles.yaml"
    wanted.write_text(exported + f'  "{SOPHIE}":\n    - domain: planning\n      level: act\n')

    code, screen = _apply_on_tty(kevin.env, wanted, "n")
    assert f"+ {SOPHIE} planning: act, no end date" in screen
    assert code == 1 and "Nothing applied." in screen
    assert SOPHIE not in kevin("roles", "list", "--org", ARDENNE, "-o", "json").out

    code, screen = _apply_on_tty(kevin.env, wanted, "y")
    assert code == 0, screen
    assert SOPHIE in kevin("roles", "list", "--org", ARDENNE, "-o", "json").out
    assert kevin("roles", "apply", "-f", str(original), "--yes").code == 0
