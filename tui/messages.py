"""Messages the app sends to its screens (Textual messages, not HTTP).

Screens react to what happens elsewhere — an event on the portal's stream,
the link to the portal going down or up, another acting context — without
the app reaching into them: it posts one of these to the screens on the
stack, and a screen that cares defines ``on_portal_event`` and friends.
The agent queue follows the back office's own stream and posts itself
:class:`AgentEvent` and :class:`AgentLink`, apart from the person's.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message


class PortalEvent(Message):
    """One event from ``GET /events`` (the Event JSON of docs/api.md)."""

    def __init__(self, event: dict[str, Any]) -> None:
        super().__init__()
        self.event = event

    @property
    def dossier_id(self) -> str:
        return str(self.event.get("dossier_id") or "")


class ConnectionChanged(Message):
    """The live link to the portal went down (``online`` False) or came back."""

    def __init__(self, online: bool) -> None:
        super().__init__()
        self.online = online


class ContextChanged(Message):
    """The acting context changed (``me`` or a BCE number): reload what depends on it."""

    def __init__(self, acting_as: str) -> None:
        super().__init__()
        self.acting_as = acting_as


class AgentEvent(Message):
    """One event of the back office's stream (the Event JSON of docs/api.md)."""

    def __init__(self, event: dict[str, Any]) -> None:
        super().__init__()
        self.event = event


class AgentLink(Message):
    """The back office's stream went down or came back."""

    def __init__(self, online: bool) -> None:
        super().__init__()
        self.online = online
