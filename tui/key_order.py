"""Keys handled one after the other, in the order they were typed.

Textual hands a key to the focused widget's own queue and checks the
non-priority key bindings (Enter submits, Backspace deletes, Tab moves on)
only when the key has travelled back up to the app. A key typed right after
— in the same burst from the terminal — is handed out meanwhile, to whatever
has the focus *then*: a fast typist's "Jean Dupont⇥Rue de Fer" left "Rue de
Fer" in the name field, and "abc⌫d" became "abd" minus the wrong letter.

:class:`KeysInOrder` (mixed into the app) holds every key read while the
previous one is still on its way, and hands it out when that one is done:
stopped by a widget, or back at the app after its bindings ran. A key that
never comes back (its widget was removed while handling it) is given up on
after :data:`GIVE_UP`, so a key can be late but never lost.
"""

from __future__ import annotations

import weakref
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.timer import Timer

#: Longest wait for a key that never came back before handing out the next one.
GIVE_UP = 0.5


class KeysInOrder(App[Any]):
    """An app that never hands out a key before the previous one was handled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key_in_flight: events.Key | None = None
        self._held_keys: list[events.Key] = []
        self._released_key: events.Key | None = None
        self._watched: weakref.WeakSet[DOMNode] = weakref.WeakSet()
        self._give_up_timer: Timer | None = None

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)
            return
        if event.is_forwarded:  # back at the app: its bindings run now
            await super().on_event(event)
            self._key_done(event)
            return
        if event is not self._released_key and self._busy():
            self._held_keys.append(event)
            self._arm_give_up()
            return
        self._released_key = None
        self._key_in_flight = event
        self._watch_focus_chain()
        await super().on_event(event)
        if not event.is_forwarded:  # a priority binding took it: done already
            self._key_done(event)

    def _busy(self) -> bool:
        """A key is on its way, waiting, or handed out again but not yet back here:
        a key read now queues behind them and never overtakes them."""
        return (
            self._key_in_flight is not None
            or bool(self._held_keys)
            or self._released_key is not None
        )

    def _watch_focus_chain(self) -> None:
        """Learn when a widget between the focus and the screen stops the key."""
        try:
            start: DOMNode = self.focused or self.screen
        except Exception:  # noqa: BLE001 - no screen yet: nothing to watch
            return
        for node in [start, *start.ancestors_with_self]:
            if node is self or node in self._watched or not node.is_running:
                continue
            node.message_signal.subscribe(self, self._handled_by_widget, immediate=True)
            self._watched.add(node)

    def _handled_by_widget(self, message: Message) -> None:
        if message is self._key_in_flight and message._stop_propagation:
            self._key_done(message)

    def _arm_give_up(self) -> None:
        """Only while keys are held: typing at a person's pace costs no timer."""
        if self._give_up_timer is None:
            self._give_up_timer = self.set_timer(GIVE_UP, self._give_up, name="keys-in-order")

    def _give_up(self) -> None:
        self._give_up_timer = None
        if self._key_in_flight is not None:
            self._key_done(self._key_in_flight)

    def _key_done(self, event: Message) -> None:
        """The key in flight was handled: hand out the next one typed meanwhile."""
        if event is not self._key_in_flight:
            return
        self._key_in_flight = None
        if self._give_up_timer is not None:
            self._give_up_timer.stop()
            self._give_up_timer = None
        if self._held_keys:
            self._arm_give_up()
            self._released_key = self._held_keys.pop(0)
            self.post_message(self._released_key)
