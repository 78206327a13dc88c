"""What every screen may ask of the application it runs in.

The screens of ``tui/`` never build HTTP clients, never read the
configuration and never import one another to move between them: they ask
the app, which satisfies :class:`PortalHost` (``PortalScreen.host``), and
its :class:`Navigation` (``host.navigate``). These are Protocols, apart
from ``tui.app`` and ``tui.navigation``, so that a screen depends on a
description of the app rather than on the app that imports every screen —
no import cycle — and so that a screen can be tested inside a minimal host
app. The seam with ``monespace_cli.client`` stays in one place
(import-linter: ``tui`` does no HTTP).

Network and card work runs in thread workers
(:func:`tui.threads.run_in_thread`) with a client from
:meth:`PortalHost.portal`, so the interface never freezes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from monespace_cli.client import PortalClient
    from tui.cards import CardSource
    from tui.settings import TuiSettings


class Navigation(Protocol):
    """How a screen opens another one (implemented by ``tui.navigation.Navigator``)."""

    def dashboard(self) -> None:
        """Back to the dashboard (closing what is above it)."""
        ...

    def catalogue(self) -> None:
        """The procedure catalogue (unless it is already shown)."""
        ...

    def dossier(self, dossier_id: str, *, context: str = "", edit_first: bool = False) -> None:
        """One dossier; one of another ``context`` switches to that context first."""
        ...

    def started_dossier(self, dossier_id: str) -> None:
        """A dossier just created: it replaces the current screen, its form on top."""
        ...

    def form(self, dossier_id: str) -> None:
        """The form of a dossier."""
        ...

    def device_login(self, done: Callable[[str | None], None]) -> None:
        """Log in on another device; ``done`` gets the session token, or None when left."""
        ...

    def roles(self) -> None:
        """Roles and mandates of the acting organisation (a warning when acting as oneself)."""
        ...

    def back_office(self) -> None:
        """The agent queue (a warning for someone who is no agent)."""
        ...


class PortalHost(Protocol):
    """The application side of the seam (implemented by ``tui.app.MonespaceApp``)."""

    #: The acting context: ``"me"`` or a 10-digit BCE number (``X-Acting-As``).
    acting_as: str
    #: The session token (None on the login screen).
    token: str | None
    #: What the app runs with (portal URL, files folder, sandbox, live…).
    settings: TuiSettings
    #: None until the event stream was tried; then whether it is connected.
    online: bool | None

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

    @property
    def navigate(self) -> Navigation:
        """Opens the other screens (``tui.navigation.Navigator``)."""
        ...

    @property
    def is_agent(self) -> bool:
        """Whether the person is an agent or supervisor of a back-office service."""
        ...

    def contexts(self) -> list[dict[str, Any]]:
        """The contexts of ``GET /me`` (empty until loaded)."""
        ...

    def switch_context(self, acting_as: str) -> None:
        """Act for ``acting_as`` (``me`` or a BCE)."""
        ...

    def card_source(self) -> CardSource:
        """Where the login screen finds the eID card."""
        ...

    def logged_in(self, token: str) -> None:
        """The login screen's new session token."""
        ...
