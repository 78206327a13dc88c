"""Blocking work off the UI thread, and its result back on it.

Why one helper: the portal's requests, card reads and file writes block, so
they run in thread workers; a worker must not touch widgets, and
``App.call_from_thread`` hands a call to the event loop but raises when the
app is closing (and when called from the UI thread itself). Every screen,
and the agent actions, use :func:`run_in_thread` (or :func:`on_ui` for a
call that may come from either side) instead of writing that dance again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.app import App

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.worker import Worker

    from tui.host import PortalHost

ResultT = TypeVar("ResultT")


def on_ui_thread() -> bool:
    """Whether the caller runs on the app's event loop (not in a worker thread).

    The UI thread always has a running event loop; a thread worker running a
    plain function has none.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def on_ui(app: App[Any], call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``call`` on ``app``'s UI thread, from it or from a worker thread."""
    if on_ui_thread():
        call(*args, **kwargs)
        return
    try:
        app.call_from_thread(call, *args, **kwargs)
    except RuntimeError:
        pass  # the app is closing: nobody to tell


def run_in_thread(
    node: DOMNode,
    job: Callable[[], ResultT],
    then: Callable[[ResultT], object] | None = None,
    failed: Callable[[BaseException], object] | None = None,
    *,
    group: str = "portal",
    exclusive: bool = False,
    description: str = "",
) -> Worker[None]:
    """Run ``job`` in a thread worker of ``node``; ``then(result)`` back on the UI thread.

    A failure never crashes the app: ``failed(error)`` runs on the UI thread
    when given, else the host shows it (``report_error``). Either callback is
    skipped once ``node`` has left the screen (the person went elsewhere):
    a widget that is gone has nothing to show it on. ``exclusive`` cancels
    the group's earlier workers (their results are then still delivered:
    a thread cannot be stopped, so callers that care compare a generation).
    """
    app = node.app

    def deliver(callback: Callable[[Any], object], value: object) -> None:
        if isinstance(node, App) or node.is_attached:
            callback(value)

    def work() -> None:
        try:
            result = job()
        except Exception as exc:  # noqa: BLE001 - every failure is shown, never a crash
            if failed is None:
                cast("PortalHost", app).report_error(exc)
            else:
                on_ui(app, deliver, failed, exc)
            return
        if then is not None:
            on_ui(app, deliver, then, result)

    return node.run_worker(
        work, thread=True, group=group, exclusive=exclusive, description=description
    )
