"""Move the focus at once, so that the very next key goes where the person expects.

``Widget.focus()`` only *schedules* the change (a callback on the app's
queue). Keys already read from the terminal — someone typing ``/prime`` in
one burst — sit in that queue before the callback and reach the widget that
had the focus. A key binding that opens a place to type (search, filter,
reply) therefore sets the focus directly on the screen instead.
"""

from __future__ import annotations

from textual.widget import Widget


def focus_now(widget: Widget) -> None:
    """Give ``widget`` the focus before the next key is handled."""
    widget.screen.set_focus(widget)
