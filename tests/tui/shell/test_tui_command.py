"""``monespace tui``: listed by ``--help``, light to ask for help, refuses without a terminal,
and builds the app's settings from the profile (URL, stored token, context).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.cli_helpers import ROOT, cli_env, run_cli

#: What ``--help`` must never load (the CLI's start-up rule, tests/cli/test_cli_startup.py).
HEAVY = {"httpx", "textual", "smartcard", "rich", "jq", "keyring", "cryptography", "pydantic"}
PROBE = """
import sys
from monespace_cli.app import run
code = run(sys.argv[1:])
loaded = sorted(k for k, v in sys.modules.items() if v is not None)  # None: blocked on purpose
print("\\n@@" + __import__("json").dumps(loaded), file=sys.stderr)
"""


def loaded_modules(args: list[str], env: dict[str, str]) -> tuple[int, set[str]]:
    """Exit code and top-level modules loaded by ``monespace ARGS`` in a fresh process."""
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


def test_help_lists_tui_and_tui_help_is_light(tmp_path: Path) -> None:
    result = run_cli(["--help"], cli_env(tmp_path))
    assert result.code == 0 and "tui" in result.out
    code, modules = loaded_modules(["tui", "--help"], cli_env(tmp_path))
    assert code == 0
    assert not (modules & HEAVY), sorted(modules & HEAVY)


def test_tui_without_a_terminal_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["tui"], cli_env(tmp_path, MONESPACE_PORTAL="http://127.0.0.1:9"))
    assert result.code == 2
    assert "interactive terminal" in result.err
    assert "Traceback" not in result.err


def test_settings_come_from_the_profile(tmp_path: Path, monkeypatch) -> None:
    from monespace_cli.commands.tui import settings_from
    from monespace_cli.context import Factory, GlobalOptions, IOStreams
    from tui.app import TuiSettings

    env = cli_env(tmp_path, MONESPACE_PORTAL="http://127.0.0.1:9", MONESPACE_TOKEN="tok-123")
    io = IOStreams(sys.stdin, sys.stdout, sys.stderr)
    factory = Factory(io=io, options=GlobalOptions(acting_as="0856712314"), environ=env)
    settings = settings_from(factory, reader="Reader 0", live=False)
    assert isinstance(settings, TuiSettings)
    assert settings.portal_url == "http://127.0.0.1:9"
    assert settings.token == "tok-123" and settings.acting_as == "0856712314"
    assert settings.reader == "Reader 0" and settings.live is False
