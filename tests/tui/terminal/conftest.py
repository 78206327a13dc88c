"""Fixtures of the real-terminal tests: ``open_tui`` starts ``monespace tui`` in tmux.

Helpers live in tmux_terminal.py (a unique module name, so that they never
clash with another folder's ``conftest``). Sessions come from the real
challenge–response (``token_for``, tests/tui/conftest.py); the portal is the
shared session-wide ``portal_server`` unless a test brings its own.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tmux_terminal

from tmux_terminal import Terminal, tmux_binary, tui_argv, tui_env

OpenTui = Callable[..., Terminal]


@pytest.fixture(scope="session", autouse=True)
def _tmux_installed() -> None:
    tmux_binary()  # a clear error, not thirty, when tmux is missing


@pytest.fixture
def open_tui(
    portal_server: Any, token_for: Callable[[str], str], tmp_path: Path
) -> Iterator[OpenTui]:
    """``open_tui(nrn, cols=80, rows=24, lang="en", acting_as=None, args=(), portal=None, …)``.

    Starts ``monespace tui`` logged in as ``nrn`` and waits for its first
    screen (the footer's palette key). At the end of the test, whatever
    happened, no traceback may have reached any of the terminals.
    """
    terminals: list[Terminal] = []

    def start(
        nrn: str,
        *,
        cols: int = 80,
        rows: int = 24,
        lang: str = "en",
        acting_as: str | None = None,
        args: tuple[str, ...] = (),
        portal: Any = None,
        token: str | None = None,
        env: dict[str, str] | None = None,
    ) -> Terminal:
        server = portal or portal_server
        terminal = Terminal(cols, rows)
        terminals.append(terminal)
        home = tmp_path / f"home-{len(terminals)}"
        home.mkdir()
        environment = tui_env(home, server.url, token or token_for(nrn), lang)
        environment.update(env or {})
        terminal.start(tui_argv(acting_as, args), environment)
        terminal.wait_for("^p", what="the first screen")
        return terminal

    yield start
    try:
        for terminal in terminals:
            terminal.assert_no_crash()
    finally:
        for terminal in terminals:
            terminal.close()
