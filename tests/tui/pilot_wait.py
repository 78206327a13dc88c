"""Waiting on a Pilot-driven app: run it until a condition holds, or fail after a time-out."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


async def wait_for(pilot: Any, condition: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Let the app run until ``condition()`` is truthy (its value); fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await pilot.pause(0.05)
    raise AssertionError(f"condition not met in {timeout} s: {condition}")


async def tables_measured(pilot: Any, app: Any, timeout: float = 10.0) -> None:
    """Until every table on the screen has measured its rows, then one more refresh.

    Why: a DataTable sizes its auto-width columns when it is next idle; a
    snapshot taken before that (a loaded machine) shows names cut to the
    header's width.
    """
    from textual.widgets import DataTable

    def measured() -> bool:
        tables = app.screen.query(DataTable)
        return not any(t._new_rows or t._require_update_dimensions for t in tables)

    await wait_for(pilot, measured, timeout)
    await pilot.pause()
