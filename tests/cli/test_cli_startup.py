"""Start-up stays light: help never imports httpx, textual, pyscard or rich (harlequin's test)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cli_helpers import ROOT, cli_env

HEAVY = (
    "httpx",
    "textual",
    "smartcard",
    "rich",
    "jq",
    "keyring",
    "cryptography",
    "pydantic",
)

PROBE = """
import sys
from monespace_cli.app import run
code = run(sys.argv[1:])
print("\\n@@" + __import__("json").dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded_modules(args: list[str], env: dict[str, str]) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    modules = json.loads(proc.stderr.rsplit("@@", 1)[1])
    return proc.returncode, {m.split(".")[0] for m in modules}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["auth", "--help"],
        ["catalog", "--help"],
        ["dossier", "--help"],
        ["message", "--help"],
        ["document", "--help"],
        ["payment", "--help"],
        ["mydata", "--help"],
        ["eid", "--help"],
        ["context", "--help"],
        ["api", "--help"],
        ["profile", "list"],
    ],
)
def test_help_imports_nothing_heavy(args: list[str], tmp_path) -> None:
    code, modules = loaded_modules(args, cli_env(tmp_path))
    assert code == 0
    assert not (modules & set(HEAVY)), sorted(modules & set(HEAVY))


def test_probe_can_fail(tmp_path) -> None:
    """The probe does see a heavy import when one happens (the test can fail)."""
    _code, modules = loaded_modules(
        ["catalog", "list"], cli_env(tmp_path, MONESPACE_PORTAL="http://127.0.0.1:9")
    )
    assert "httpx" in modules
