"""Waiting on a Pilot-driven app: run it until a condition holds, or fail after a time-out.

Why conditions and not sleeps: the app's workers talk to a real portal in
threads, so how long anything takes depends on the machine's load. A fixed
sleep is either too long (slow tests) or, one day, too short (a flaky one);
a condition waits exactly as long as needed and fails with what it saw.
The one fixed interval here is the poll step, which only decides how often
the condition is asked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable

#: How often a condition is asked; the app runs in between.
POLL = 0.05


def _what_the_app_said(pilot: Any) -> str:
    """The errors and notes a test host records, and the screen: for a failure message."""
    app = pilot.app
    parts = [f"screen {app.screen!r}"]
    for name in ("errors", "said"):
        if getattr(app, name, None):
            parts.append(f"{name} {getattr(app, name)!r}")
    return "; ".join(parts)


async def wait_for(pilot: Any, condition: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Let the app run until ``condition()`` is truthy (its value); fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await pilot.pause(POLL)
    raise AssertionError(
        f"condition not met in {timeout} s: {condition}; {_what_the_app_said(pilot)}"
    )


async def until(pilot: Any, condition: Callable[[], Any], timeout: float = 30.0) -> Any:
    """:func:`wait_for`, then let Textual handle what the change posted (redraws, focus)."""
    value = await wait_for(pilot, condition, timeout)
    await pilot.pause()
    return value


async def drawn(pilot: Any, timeout: float = 10.0) -> None:
    """Until the app shows the same picture twice in a row (what a snapshot needs).

    Why: layout, scrolling and painting follow a change over a few frames;
    a snapshot taken in between shows a half-drawn screen. Wait for what the
    screen is waiting for (data, a worker) first: this only waits for paint.
    """
    deadline = time.monotonic() + timeout
    previous = None
    while time.monotonic() < deadline:
        await pilot.pause()
        picture = pilot.app.export_screenshot()
        if picture == previous:
            return
        previous = picture
        await pilot.pause(POLL)
    raise AssertionError(f"the screen kept changing for {timeout} s; {_what_the_app_said(pilot)}")


async def tables_measured(pilot: Any, app: Any, timeout: float = 10.0) -> None:
    """Until every table on the screen has measured its rows, then one more refresh.

    Why: a DataTable sizes its auto-width columns when it is next idle; a
    snapshot taken before that (a loaded machine) shows names cut to the
    header's width.
    """

    def measured() -> bool:
        tables = app.screen.query(DataTable)
        return not any(t._new_rows or t._require_update_dimensions for t in tables)

    await wait_for(pilot, measured, timeout)
    await pilot.pause()


def palette_offers(app: Any, command: str) -> bool:
    """Whether the open command palette highlights a command whose name contains ``command``.

    Why: the palette searches in a worker as the person types; pressing
    enter before the list is filled runs nothing (or the previous match).
    """
    screen = app.screen
    if not isinstance(screen, CommandPalette):
        return False
    commands = screen.query_one(CommandList)
    index = commands.highlighted
    if index is None or commands.option_count == 0:
        return False
    return command.lower() in str(commands.get_option_at_index(index).prompt).lower()
