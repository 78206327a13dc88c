"""The command palette (``ctrl+p``): go anywhere, switch context, act — by name.

Next to the screens' own key bindings, the palette lists the app's places
(dashboard, catalogue, roles), one "act as …" entry per context of
``GET /me``, "new dossier" and "log out", and every described binding of
the current screen (so the form and roles screens' commands show up without
this module knowing them). Places open through the app's navigator
(``tui.navigation``): the palette imports no screen.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from monespace_cli.i18n import _
from tui.format import context_label

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tui.host import PortalHost


class MonespaceCommands(Provider):
    """Places, contexts and actions of monespace, for the palette."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        host = cast("PortalHost", self.app)
        if not host.token:
            return []
        go = host.navigate
        commands: list[tuple[str, Callable[[], Any], str]] = [
            (_("Go to the dashboard"), go.dashboard, _("Your dossiers")),
            (_("Go to the catalogue"), go.catalogue, _("Find a procedure")),
            (_("New dossier"), go.catalogue, _("Start from a procedure")),
            (_("Roles and mandates"), go.roles, _("GAP of the organisation")),
        ]
        if host.is_agent:
            commands.append((_("Back office queue"), go.back_office, _("Triage dossiers")))
        commands += [
            (_("Log out"), partial(self._run_action, self.app, "logout"), _("End the session")),
            (_("Keys of this screen"), partial(self._run_action, self.app, "help"), "?"),
        ]
        for context in host.contexts():
            target = str(context.get("id"))
            commands.append(
                (
                    _("Act as: {who}").format(who=context_label(context)),
                    partial(host.switch_context, target),
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

    async def _run_action_async(self, node: DOMNode, action: str) -> None:
        await self.app.run_action(action, node)

    def _run_action(self, node: DOMNode, action: str) -> None:
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
