"""Start-up stays light (harlequin's test): help never imports httpx, textual, pyscard or
rich; a typical command against a real portal imports httpx but nothing it does not use."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ROOT, cli_env, run_cli

CITIZEN = "74011920708"  # Luc Mathieu (sandbox)

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
loaded = sorted(name for name, module in sys.modules.items() if module is not None)
print("\\n@@" + __import__("json").dumps(loaded), file=sys.stderr)
"""


#: What a typical command (catalog list, dossier list/show) must not load: httpx's
#: own command-line tool (click, rich, pygments), Typer's pydantic coercion, the
#: installed-distributions scan, the keyring when a token is given, the TUI, the card.
COMMAND_UNUSED = (
    "click",
    "rich",
    "pygments",
    "pydantic",
    "importlib.metadata",
    "keyring",
    "textual",
    "smartcard",
    "cryptography",
    "jq",
)


def loaded_modules(args: list[str], env: dict[str, str]) -> tuple[int, set[str]]:
    """Exit code and top-level packages imported by ``monespace ARGS``."""
    code, modules = loaded_module_names(args, env)
    return code, {m.split(".")[0] for m in modules}


def loaded_module_names(args: list[str], env: dict[str, str]) -> tuple[int, set[str]]:
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
    return proc.returncode, set(modules)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["auth", "--help"],
        ["catalog", "--help"],
        ["dossier", "--help"],
        ["agent", "--help"],
        ["roles", "--help"],
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


@pytest.fixture
def citizen_env(portal_server: Any, login: Callable[..., str], tmp_path: Path) -> dict[str, str]:
    """A script's environment: the test portal and a token in ``MONESPACE_TOKEN``."""
    token = login(portal_server.url, CITIZEN)
    return cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url, MONESPACE_TOKEN=token)


@pytest.mark.parametrize("command", ["catalog list", "dossier list", "dossier show"])
def test_typical_command_imports_only_what_it_uses(
    command: str, citizen_env: dict[str, str]
) -> None:
    args = command.split()
    if command == "dossier show":
        created = run_cli(["dossier", "new", "PERMIS-PECHE", "-o", "json"], citizen_env)
        assert created.code == 0, created.err
        args.append(json.loads(created.out)["id"])
    code, modules = loaded_module_names(args, citizen_env)
    assert code == 0
    assert "httpx" in modules  # the probe sees the real request being made
    unused = {m for m in modules if m.split(".")[0] in COMMAND_UNUSED or m in COMMAND_UNUSED}
    assert not unused, sorted(unused)
