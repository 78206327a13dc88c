"""Running the real ``monespace`` in a subprocess, isolated from the user's files.

Every run gets its own config folder, no keyring configuration from the
machine, a fixed English locale unless asked, stdin from /dev/null (so a
prompt would fail instead of hanging) and a timeout.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@dataclass
class Result:
    code: int
    out: str
    err: str


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment for the CLI: config, keyring data and locale under ``home``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MONESPACE_", "PYTHON_KEYRING", "LC_", "LANG"))
    }
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "xdg-config"),
            "XDG_DATA_HOME": str(home / "xdg-data"),
            "MONESPACE_CONFIG_DIR": str(home / "monespace"),
            "LANG": "C.UTF-8",
            "NO_COLOR": "1",
        }
    )
    env.pop("LANGUAGE", None)
    env.update(extra)
    return env


def run_cli(
    args: list[str],
    env: dict[str, str],
    *,
    input: str | None = None,
    timeout: float = TIMEOUT,
) -> Result:
    """Run ``python -m monespace_cli ARGS``; stdin is /dev/null unless ``input``."""
    proc = subprocess.run(
        [sys.executable, "-m", "monespace_cli", *args],
        env=env,
        cwd=ROOT,
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def answer_on_a_terminal(
    argv: list[str],
    env: dict[str, str],
    question: str,
    answer: str,
    *,
    before_answer: Callable[[], None] | None = None,
    timeout: float = 30,
) -> tuple[int, str]:
    """Run ``monespace ARGV`` on a pseudo-terminal, answer ``question``; (exit code, screen).

    A real terminal, as a person has: the CLI asks only there (on a pipe it
    refuses to prompt). ``before_answer`` runs while the question is on the
    screen (e.g. someone else changes the dossier meanwhile).
    """
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "monespace_cli", *argv],
        env={**env, "TERM": "dumb", "COLUMNS": "200"},
        cwd=ROOT,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    seen = ""
    deadline = time.monotonic() + timeout
    try:
        while question not in seen:
            assert time.monotonic() < deadline, f"no question; screen:\n{seen}"
            if select.select([master], [], [], 0.5)[0]:
                try:
                    seen += os.read(master, 4096).decode(errors="replace")
                except OSError:  # the CLI ended without asking
                    raise AssertionError(f"ended without asking; screen:\n{seen}") from None
        if before_answer is not None:
            before_answer()
        os.write(master, answer.encode() + b"\r")
        code = proc.wait(timeout=timeout)
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
