"""What every screen may ask of the application it runs in.

The screens of ``tui/`` never build HTTP clients and never read the
configuration themselves: they ask the app (``self.app``), which satisfies
:class:`PortalHost`. Keeping this tiny protocol apart from ``tui.app`` lets
a screen be tested inside a minimal host app, and keeps the seam with
``monespace_cli.client`` in one place (import-linter: ``tui`` does no HTTP).

Network and card work runs in thread workers (``@work(thread=True)``) with a
client from :meth:`PortalHost.portal`, so the interface never freezes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient


class PortalHost(Protocol):
    """The application side of the seam (implemented by ``tui.app.MonespaceApp``)."""

    #: The acting context: ``"me"`` or a 10-digit BCE number (``X-Acting-As``).
    acting_as: str

    def portal(self, acting_as: str | None = None) -> PortalClient:
        """A new client with the session token and the current acting context.

        Use it as a context manager inside a thread worker; it is cheap
        enough to create one per task. ``acting_as`` overrides the context
        for this client only.
        """
        ...

    def report_error(self, error: BaseException) -> None:
        """Show a user-facing error as a notification (never a crash).

        Client exceptions (``PortalError`` and subclasses) become one
        translated sentence; anything else is logged and shown generically.
        Safe to call from a worker thread.
        """
        ...
