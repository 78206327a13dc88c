"""Snapshots of the queue and of its preview at 80×24 and 120×40, on data that does not move.

The module's portal (``frozen_people``) is seeded with a fixed random seed
*and* a fixed clock (SNAPSHOT_NOW, long past: every open dossier is overdue
whatever day the suite runs), and nothing writes to it. The app runs
without the live stream. What the screens show — references, names,
dates, counts — is therefore the same on every run.

Regenerate with
``pytest tests/tui/agent/test_agent_queue_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

import pytest
from agent_tui_support import AGENT, People, make_app, queue_screen, settled, wait_for
from textual.pilot import Pilot

from tests.tui.pilot_wait import drawn, tables_measured

SIZES = [(80, 24), (120, 40)]
IDS = ["80x24", "120x40"]


def _ready(app: Any, *, scroll_preview: bool = False) -> Any:
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await wait_for(pilot, lambda: queue_screen(app))
        await wait_for(pilot, lambda: screen.table.row_count > 0 and screen.counts is not None)
        await wait_for(pilot, lambda: settled(screen) and app.me is not None)
        await wait_for(pilot, lambda: screen.preview.preview is not None)
        if scroll_preview:
            # Once the preview is laid out whole: earlier, the scroll stops short.
            await wait_for(pilot, lambda: screen.preview.max_scroll_y >= 12)
            screen.preview.scroll_to(y=12, animate=False)
            await wait_for(pilot, lambda: screen.preview.scroll_y == 12)
        await tables_measured(pilot, app)  # the preview's attachments table
        await drawn(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_snapshot_the_queue(frozen_people: People, snap_compare: Any, size: Any) -> None:
    app = make_app(frozen_people.server.url, frozen_people.token(AGENT))
    assert snap_compare(app, terminal_size=size, run_before=_ready(app))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_snapshot_the_preview(frozen_people: People, snap_compare: Any, size: Any) -> None:
    app = make_app(frozen_people.server.url, frozen_people.token(AGENT))
    assert snap_compare(app, terminal_size=size, run_before=_ready(app, scroll_preview=True))
