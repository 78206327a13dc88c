"""Textual's own notifications come in the person's language: the Ctrl+C hint
(Ctrl+C copies, it does not quit) and the palette's "Screenshot" command."""

from __future__ import annotations

import gettext
import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from shell_helpers import make_app, run, wait_for

from monespace_cli import i18n


@pytest.fixture
def german(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's messages in German (the app's runtime words).

    Every ``tui`` module is imported first, in the process's own language: their
    class-level key labels are read at import, and one imported here in German
    would stay German for the tests that run after this one (the labels in
    German are checked in a real terminal: tests/tui/terminal/test_terminal_german.py).
    """
    import tui

    for module in pkgutil.walk_packages(tui.__path__, "tui."):
        importlib.import_module(module.name)
    catalogue = gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, languages=["de"])
    monkeypatch.setattr(i18n, "_translation", catalogue)


def test_ctrl_c_and_screenshot_speak_german(
    german: None, portal_server: Any, citizen_token: str, tmp_path: Path
) -> None:
    from tui.screens.dashboard import DashboardScreen

    app = make_app(portal_server.url, token=citizen_token, files_dir=tmp_path)

    def titled(title: str) -> list[str]:
        return [str(n.message) for n in app._notifications if n.title == title]

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
            await pilot.press("ctrl+c")
            quit_hint = await wait_for(pilot, lambda: titled("Möchten Sie die Anwendung beenden?"))
            commands = list(app.get_system_commands(app.screen))
            titles = [c.title for c in commands]
            next(c for c in commands if c.title == "Bildschirmfoto").callback()
            saved = await wait_for(pilot, lambda: titled("Bildschirmfoto"))
            return quit_hint, titles, saved

    quit_hint, titles, saved = run(scenario())
    assert quit_hint == ["Drücken Sie ^q, um die Anwendung zu beenden."], quit_hint
    assert {"Design", "Beenden", "Tasten", "Bildschirmfoto"} <= set(titles), titles
    svg = list(tmp_path.glob("*.svg"))
    assert len(svg) == 1, svg
    assert saved == [f"Bildschirmfoto in {svg[0]} gespeichert."], saved


def test_key_names_are_german_in_the_footer_and_the_help(german: None, tmp_path: Path) -> None:
    """``shift+tab``, ``esc``, ``space`` are keyboard words: a German keyboard says them so."""
    from textual.binding import Binding

    app = make_app("http://127.0.0.1:9", files_dir=tmp_path)
    shown = {
        key: app.get_key_display(Binding(key, "noop", "x"))
        for key in ("shift+tab", "escape", "space", "ctrl+p", "super+c", "delete")
    }
    assert shown == {
        "shift+tab": "Umschalt+Tab",
        "escape": "Esc",
        "space": "Leertaste",
        "ctrl+p": "^p",
        "super+c": "Super+c",
        "delete": "Entf",
    }, shown
    assert app.get_key_display(Binding("f1", "noop", "x", key_display="F1")) == "F1"
