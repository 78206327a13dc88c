"""The look of the form screen (pytest-textual-snapshot) at 80×24 and 120×40.

A fresh PRIME-HABITATION draft of the sandbox citizen: its content is the
national register's prefill, the same on every run; only the dossier number
changes, so it is masked before the picture is taken.
"""

from __future__ import annotations

from typing import Any

import pytest
from form_host import FormHost, wait_for
from textual.widgets import Input, Static

from tui.screens.form import FormScreen


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_form_screen_snapshot(
    snap_compare: Any, portal_server: Any, citizen_token: str, new_dossier: Any, size: Any
) -> None:
    if not portal_server.database_url.startswith("sqlite"):
        pytest.skip("the pictures are taken once, against the SQLite portal (same screen)")
    dossier = new_dossier("PRIME-HABITATION")
    screen = FormScreen(dossier["id"])
    app = FormHost(portal_server.url, citizen_token, screen)

    async def loaded(pilot: Any) -> None:
        await wait_for(pilot, lambda: screen.loaded)
        title = screen.query_one("#form-title", Static)
        title.update(str(title.render()).replace(dossier["id"], "MSP-XXXX-XXXXXX"))
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()  # the focus scrolls the first field in
        for box in screen.query(Input):
            box.cursor_blink = False  # a blinking cursor is on or off by the clock
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=loaded)
