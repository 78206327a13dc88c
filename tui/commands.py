"""The command palette (``ctrl+p``): go anywhere, switch context, act — by name.

Next to the screens' own key bindings, the palette lists the app's places
(dashboard, catalogue, roles), one "act as …" entry per context of
``GET /me``, "new dossier" and "log out", and every described binding of
the current screen (so the form and roles screens' commands show up without
this module knowing them). The form and roles screens are imported lazily:
if one is missing, a notification says so instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from monespace_cli.i18n import _
from tui.format import context_label


def open_roles(app: Any) -> None:
    """Push the roles screen for the acting organisation (GAP / legal representative)."""
    acting_as = str(getattr(app, "acting_as", "me"))
    if acting_as == "me":
        app.notify(
            _("Roles are managed for an organisation: switch to one first (ctrl+o)."),
            severity="warning",
        )
        return
    try:
        from tui.screens.roles import RolesScreen
    except ImportError:
        app.notify(_("The roles screen is not available in this version."), severity="warning")
        return
    app.push_screen(RolesScreen(acting_as))


def open_form(app: Any, dossier_id: str) -> bool:
    """Push the form screen for ``dossier_id``; False (and a notification) when missing."""
    try:
        from tui.screens.form import FormScreen
    except ImportError:
        app.notify(_("The form screen is not available in this version."), severity="warning")
        return False
    app.push_screen(FormScreen(dossier_id))
    return True


def open_back_office(app: Any) -> None:
    """Push the agent queue (for an agent or supervisor of a service)."""
    if not getattr(app, "is_agent", False):
        app.notify(_("The back office is for agents of a service."), severity="warning")
        return
    from tui.screens.agent_queue import AgentQueueScreen

    if not isinstance(app.screen, AgentQueueScreen):
        app.push_screen(AgentQueueScreen())


def _go_dashboard(app: Any) -> None:
    from tui.screens.dashboard import DashboardScreen

    while len(app.screen_stack) > 2:
        app.pop_screen()
    if not isinstance(app.screen, DashboardScreen):
        app.push_screen(DashboardScreen())


def _go_catalogue(app: Any) -> None:
    from tui.screens.catalogue import CatalogueScreen

    if not isinstance(app.screen, CatalogueScreen):
        app.push_screen(CatalogueScreen())


class MonespaceCommands(Provider):
    """Places, contexts and actions of monespace, for the palette."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app: Any = self.app
        if not getattr(app, "token", None):
            return []
        commands: list[tuple[str, Callable[[], Any], str]] = [
            (_("Go to the dashboard"), partial(_go_dashboard, app), _("Your dossiers")),
            (_("Go to the catalogue"), partial(_go_catalogue, app), _("Find a procedure")),
            (_("New dossier"), partial(_go_catalogue, app), _("Start from a procedure")),
            (_("Roles and mandates"), partial(open_roles, app), _("GAP of the organisation")),
        ]
        if getattr(app, "is_agent", False):
            commands.append(
                (_("Back office queue"), partial(open_back_office, app), _("Triage dossiers"))
            )
        commands += [
            (_("Log out"), app.action_logout, _("End the session")),
            (_("Keys of this screen"), app.action_help, "?"),
        ]
        for context in app.contexts():
            target = str(context.get("id"))
            commands.append(
                (
                    _("Act as: {who}").format(who=context_label(context)),
                    partial(app.switch_context, target),
                    _("Switch the acting context"),
                )
            )
        commands.extend(self._screen_commands())
        return commands

    def _screen_commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        """The described bindings of the screen the palette was opened on."""
        screen = self.screen
        found: list[tuple[str, Callable[[], Any], str]] = []
        for _key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action.startswith("app."):
                continue
            found.append(
                (
                    binding.description,
                    partial(self._run_action, active.node, binding.action),
                    _("This screen"),
                )
            )
        return found

    async def _run_action_async(self, node: Any, action: str) -> None:
        await self.app.run_action(action, node)

    def _run_action(self, node: Any, action: str) -> None:
        self.app.call_later(self._run_action_async, node, action)

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
