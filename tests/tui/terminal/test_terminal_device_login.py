"""Login on another device in a real terminal at 80×24 (tmux): code, address, whole QR code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tmux_terminal import Terminal, tui_argv, tui_env

from tests.conftest import portal_env

CITIZEN = "86040203095"  # Marie Claire Dubois
CODE = re.compile(r"\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b")


def test_device_login_fits_80x24_and_lands_on_the_dashboard(
    portal_server: Any, tmp_path: Path
) -> None:
    env = tui_env(tmp_path, portal_server.url, token="")
    env.pop("MONESPACE_TOKEN")  # no session: the app starts on the login screen
    term = Terminal(80, 24)
    try:
        term.start(tui_argv(), env)
        term.wait_for("Use another device", what="the login screen's device choice")
        term.press("F2")
        screen = term.wait_for(CODE, what="the user code")
        code = CODE.search(screen).group(1)  # type: ignore[union-attr]
        rows = screen.splitlines()
        assert len(rows) <= 24 and all(len(row) <= 80 for row in rows)
        qr_rows = [row for row in rows if row.lstrip().startswith(("█", "▀"))]
        assert len(qr_rows) >= 15, screen  # the whole code: its top and bottom edges too
        assert qr_rows[-1].strip().startswith("▀▀▀▀"), screen
        assert f"{portal_server.url}/device" in screen.replace("\n", "")
        assert "esc" in rows[-1] and "Back" in rows[-1]
        done = subprocess.run(
            [sys.executable, "-m", "portal", "sandbox", "approve", code, "--person", CITIZEN],
            env=portal_env(portal_server.database_url, portal_server.pki_dir),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        term.wait_for("Awaiting me", what="the dashboard after the approval")
        term.assert_no_crash()
    finally:
        term.close()
