"""Running the real ``monespace`` in a subprocess, isolated from the user's files.

Every run gets its own config folder, no keyring configuration from the
machine, a fixed English locale unless asked, stdin from /dev/null (so a
prompt would fail instead of hanging) and a timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
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
