"""Moving between screens: the one place that knows which screen shows what.

Why a module of its own: the dashboard opens dossiers, a dossier opens its
form, the catalogue starts a dossier, the command palette goes anywhere.
When each of them imported the screens it opens, the screens imported one
another and the palette (import cycles, hidden by function-level imports).
Now only this module imports the screens it opens; the app owns one
:class:`Navigator` (``app.navigate``), and a screen reaches it through its
host's :class:`tui.host.Navigation` description, importing no other screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from monespace_cli.i18n import _
from tui.screens.agent_queue import AgentQueueScreen
from tui.screens.catalogue import CatalogueScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.device_login import DeviceLoginScreen
from tui.screens.dossier import DossierScreen
from tui.screens.form import FormScreen
from tui.screens.roles import RolesScreen

if TYPE_CHECKING:
    from textual.app import App

    from tui.host import PortalHost


class Navigator:
    """Opens the app's screens (satisfies :class:`tui.host.Navigation`)."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.host = cast("PortalHost", app)

    def dashboard(self) -> None:
        """Close what is above the dashboard (login sits below it) and show it."""
        app = self.app
        while len(app.screen_stack) > 2:
            app.pop_screen()
        if not isinstance(app.screen, DashboardScreen):
            app.push_screen(DashboardScreen())

    def catalogue(self) -> None:
        if not isinstance(self.app.screen, CatalogueScreen):
            self.app.push_screen(CatalogueScreen())

    def dossier(self, dossier_id: str, *, context: str = "", edit_first: bool = False) -> None:
        """Open a dossier; the portal shows one only to its own context, so switch first."""
        if context and context != self.host.acting_as:
            self.host.switch_context(context)
        self.app.push_screen(DossierScreen(dossier_id, edit_first=edit_first))

    def started_dossier(self, dossier_id: str) -> None:
        """A dossier just created replaces the catalogue, and its form opens on top."""
        self.app.switch_screen(DossierScreen(dossier_id, edit_first=True))

    def form(self, dossier_id: str) -> None:
        self.app.push_screen(FormScreen(dossier_id))

    def device_login(self, done: Callable[[str | None], None]) -> None:
        """The login on another device, above the login screen; ``done(token or None)``."""
        self.app.push_screen(DeviceLoginScreen(), callback=done)

    def roles(self) -> None:
        """Roles are an organisation's: acting as oneself, say so instead."""
        acting_as = self.host.acting_as
        if acting_as == "me":
            self.app.notify(
                _("Roles are managed for an organisation: switch to one first (ctrl+o)."),
                severity="warning",
            )
            return
        self.app.push_screen(RolesScreen(acting_as))

    def back_office(self) -> None:
        """The agent queue, for an agent or supervisor of a service."""
        if not self.host.is_agent:
            self.app.notify(_("The back office is for agents of a service."), severity="warning")
            return
        if not isinstance(self.app.screen, AgentQueueScreen):
            self.app.push_screen(AgentQueueScreen())
