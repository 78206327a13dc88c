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
