"""Calling the UI from the worker threads that do the portal's requests.

Why one helper: workers (``run_worker(thread=True)``) must not touch widgets;
``call_from_thread`` hands the call to the event loop, but raises when called
from the UI thread itself and when the app is closing. Code that may run on
either side (an action started from a key, finished in a worker) uses this.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def on_ui(app: Any, call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``call`` on ``app``'s UI thread, from it or from a worker thread."""
    if threading.get_ident() == getattr(app, "_thread_id", None):
        call(*args, **kwargs)
        return
    try:
        app.call_from_thread(call, *args, **kwargs)
    except RuntimeError:
        pass  # the app is closing: nobody to tell
