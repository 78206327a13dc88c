"""``MonespaceApp``: the Textual application behind ``monespace tui``.

The app is the :class:`tui.host.PortalHost` of every screen: it owns the
session token, the acting context, the person's contexts (``GET /me``), the
live event stream and the one place errors become notifications. Screens
ask it for a client (:meth:`MonespaceApp.portal`) inside thread workers and
never build one themselves, and ask its navigator (``app.navigate``,
:mod:`tui.navigation`) to open another screen instead of importing it.

Everything it needs comes in one :class:`TuiSettings` (built by
``monespace tui`` from the CLI's Factory, or by a test with a portal URL and
a token — or no token, which starts on the login screen — and an injected
card connection), so nothing here reads the environment or config files.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import Screen

from monespace_cli.client import AuthenticationRequired, NotFound, PortalClient, PortalError
from monespace_cli.i18n import _
from tui.cards import CardSource, ConnectionCard, PcscCards
from tui.commands import MonespaceCommands
from tui.errors import describe
from tui.key_order import KeysInOrder
from tui.live import EventFollower
from tui.messages import ConnectionChanged, ContextChanged, PortalEvent
from tui.navigation import Navigator
from tui.palette import TranslatedPalette
from tui.screens.dashboard import DashboardScreen
from tui.screens.help import HelpScreen
from tui.screens.login import LoginScreen
from tui.settings import TuiSettings
from tui.textual_keys import KEY_NAMES
from tui.threads import on_ui, run_in_thread
from tui.widgets.context_bar import ContextBar

if TYPE_CHECKING:
    from tui.host import Navigation, PortalHost

__all__ = ["MonespaceApp", "TuiSettings", "run"]

log = logging.getLogger(__name__)


class MonespaceApp(KeysInOrder):
    """Mon Espace in the terminal: login, contexts, dashboard, catalogue, dossiers."""

    TITLE = "Mon Espace"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar[set[Any]] = App.COMMANDS | {MonespaceCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", _("Keys"), key_display="?"),
        Binding("ctrl+o", "choose_context", _("Context"), tooltip=_("Switch the acting context")),
        Binding("ctrl+q", "quit", _("Quit"), priority=True, show=False),
        # Textual's own palette key, with its words translated (it adds it in English otherwise).
        Binding(
            "ctrl+p",
            "command_palette",
            _("palette"),
            show=False,
            priority=True,
            tooltip=_("Open the command palette"),
        ),
        # Focus moves the moment Tab is read, not when the field being left gets to it:
        # keys typed right after Tab then go to the next field, however fast.
        Binding("tab", "focus_next", _("Next field"), priority=True, show=False),
        Binding("shift+tab", "focus_previous", _("Previous field"), priority=True, show=False),
    ]

    def __init__(self, settings: TuiSettings) -> None:
        super().__init__()
        self.settings = settings
        self.navigate = Navigator(self)
        self.acting_as: str = settings.acting_as or "me"
        self.token: str | None = settings.token
        #: ``GET /me`` once loaded: the person and their contexts.
        self.me: dict[str, Any] | None = None
        #: None until the event stream was tried; then whether it is connected.
        self.online: bool | None = None
        self._follower: EventFollower | None = None
        #: ``GET /agent/services`` once asked: [] for someone who is no agent.
        self.agent_services: list[dict[str, Any]] | None = None

    # -- PortalHost -----------------------------------------------------------

    def portal(self, acting_as: str | None = None) -> PortalClient:
        """A new client with the session token and the acting context (use in a worker).

        ``acting_as`` overrides the app's context for this client only (the
        dashboard's "all my contexts" reads each context in turn).
        """
        context = acting_as or self.acting_as
        return PortalClient(self.settings.portal_url, token=self.token, acting_as=context)

    def report_error(self, error: BaseException) -> None:
        """One translated sentence as an error notification; safe from any thread."""
        if isinstance(error, AuthenticationRequired):
            # The session was refused (expired, revoked, another portal's): every
            # request in flight says so; the login screen, once, answers them all.
            # (The login screen shows its own failures: they never come here.)
            on_ui(self, self._session_refused)
            return
        title, message = describe(error)
        if not isinstance(error, Exception) or title == _("Unexpected error"):
            log.error("unexpected error in the TUI", exc_info=error)
        on_ui(self, self.notify, message, title=title, severity="error", timeout=8, markup=False)

    # -- start, login, logout -------------------------------------------------

    def card_source(self) -> CardSource:
        """The injected card connection, or the machine's PC/SC readers."""
        if self.settings.card_connection is not None:
            return ConnectionCard(self.settings.card_connection)
        return PcscCards()

    def on_mount(self) -> None:
        if self.token:
            self._enter()
        else:
            self.push_screen(LoginScreen())

    def logged_in(self, token: str) -> None:
        """Called by the login screen with the new session token."""
        self.token = token
        if self.settings.save_token is not None:
            try:
                self.settings.save_token(token)
            except Exception as exc:  # noqa: BLE001 - the session works even if not kept
                self.report_error(exc)
        self._enter(replace=True)

    def _enter(self, *, replace: bool = False) -> None:
        if replace:
            self.switch_screen(DashboardScreen())
        else:
            self.push_screen(DashboardScreen())
        self.load_me()
        self.load_agent_services()
        if self.settings.live:
            self._start_live()

    def action_logout(self) -> None:
        """End the session on the portal, forget the token, back to the login screen."""
        self._stop_live()
        self._logout_worker()

    def _logout_worker(self) -> None:
        url, token = self.settings.portal_url, self.token

        def end_session() -> None:
            try:
                with PortalClient(url, token=token) as client:
                    client.logout()
            except PortalError:
                pass  # expired or unreachable: forgetting it here is what matters

        run_in_thread(self, end_session, lambda _none: self._after_logout(), group="logout")

    def _after_logout(self) -> None:
        if self.settings.forget_token is not None:
            try:
                self.settings.forget_token()
            except Exception as exc:  # noqa: BLE001
                self.report_error(exc)
        self.token = None
        self.me = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen())
        self.notify(_("Logged out."))

    # -- who am I, and for whom ---------------------------------------------------

    def load_me(self) -> None:
        """Fetch ``GET /me`` in a worker; the header follows."""

        def read_me() -> dict[str, Any]:
            with self.portal() as client:
                return dict(client.me())

        run_in_thread(self, read_me, self._set_me, group="me", exclusive=True)

    def load_agent_services(self) -> None:
        """Ask whether the person works in the back office (404: not an agent)."""

        def read_services() -> list[dict[str, Any]]:
            try:
                with self.portal() as client:
                    return [dict(s) for s in client.agent_services()]
            except NotFound:
                return []

        # A failure is only reported: the applicant's side works anyway.
        run_in_thread(
            self, read_services, self._set_agent_services, group="agent-services", exclusive=True
        )

    def _set_agent_services(self, services: list[dict[str, Any]]) -> None:
        self.agent_services = services
        for screen in self.screen_stack:
            screen.refresh_bindings()
        if services and self.settings.start_agent:
            self.settings.start_agent = False

            self.navigate.back_office()
        elif self.settings.start_agent:
            self.settings.start_agent = False
            self.notify(_("You work in no back-office service."), severity="warning")

    @property
    def is_agent(self) -> bool:
        """Whether the person is an agent or supervisor of a service."""
        return bool(self.agent_services)

    def _session_refused(self) -> None:
        """The stored token is expired or revoked: back to the login screen."""
        if self.token is None:
            return  # already back at the login screen (several requests were refused)
        self._stop_live()
        self.token = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen())
        self.notify(
            _("Your session has ended: log in again with your eID card."), severity="warning"
        )

    def _set_me(self, me: dict[str, Any]) -> None:
        self.me = me
        self.refresh_header()

    def contexts(self) -> list[dict[str, Any]]:
        """The contexts of ``GET /me`` (empty until loaded)."""
        return list((self.me or {}).get("contexts") or [])

    def current_context(self) -> dict[str, Any] | None:
        for context in self.contexts():
            if str(context.get("id")) == self.acting_as:
                return context
        return None

    def switch_context(self, acting_as: str) -> None:
        """Act for ``acting_as`` (``me`` or a BCE): back to the dashboard, reloaded."""
        if acting_as == self.acting_as:
            return
        if any(_unsaved(screen) for screen in self.screen_stack):
            # Switching closes the screens above the dashboard: never lose a form's edits.
            self.notify(
                _("Save or leave the form first: switching context would lose your changes."),
                severity="warning",
            )
            self.refresh_header()
            return
        self.acting_as = acting_as
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.refresh_header()
        self.screen.post_message(ContextChanged(acting_as))
        label = self.current_context()
        name = label.get("name") if label else acting_as
        self.notify(_("Now acting as {name}.").format(name=name))

    def refresh_header(self) -> None:
        """Bring every header on the screen stack up to date (contexts, link)."""
        for screen in self.screen_stack:
            for bar in screen.query(ContextBar):
                bar.sync()

    def action_choose_context(self) -> None:
        """Open the context switcher of the current screen's header."""
        bars = self.screen.query(ContextBar)
        if bars:
            bars.first().open()

    # -- the live event stream ------------------------------------------------------

    def _start_live(self) -> None:
        self._stop_live()
        self._follower = EventFollower(
            self.portal,
            self._event_from_thread,
            self._link_from_thread,
            max_delay=self.settings.reconnect_max,
        )
        self._follower.start()

    def _stop_live(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None

    def _event_from_thread(self, event: dict[str, Any]) -> None:
        on_ui(self, self._dispatch, PortalEvent(event))

    def _link_from_thread(self, online: bool) -> None:
        on_ui(self, self._set_online, online)

    def _set_online(self, online: bool) -> None:
        was = self.online
        self.online = online
        self.refresh_header()
        if was is False and online:
            self.notify(_("Connected to the portal again."))
        self._dispatch(ConnectionChanged(online))

    def _dispatch(self, message: PortalEvent | ConnectionChanged) -> None:
        """Give a message to every screen on the stack (each makes its own copy)."""
        for screen in self.screen_stack:
            if isinstance(message, PortalEvent):
                screen.post_message(PortalEvent(message.event))
            else:
                screen.post_message(ConnectionChanged(message.online))

    def on_unmount(self) -> None:
        self._stop_live()

    # -- Textual's own palette, in the person's language ------------------------

    def action_command_palette(self) -> None:
        """Textual's command palette with its prompt translated."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(
                TranslatedPalette(id="--command-palette", placeholder=_("Search for commands…"))
            )

    def search_themes(self) -> None:
        """Textual's theme chooser with its prompt translated."""
        from textual.theme import ThemeProvider

        self.push_screen(
            TranslatedPalette(providers=[ThemeProvider], placeholder=_("Search for themes…"))
        )

    def get_key_display(self, binding: Binding) -> str:
        """Textual's key text (``shift+tab``, ``esc``) with the key names translated."""
        shown = super().get_key_display(binding)
        if binding.key_display:
            return shown
        return "+".join(
            _(KEY_NAMES[part]) if part in KEY_NAMES else part for part in shown.split("+")
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands (theme, quit, keys, screenshot…) under translated names.

        Their English titles and help lines are msgids (``tui/textual_keys.py``).
        The screenshot is saved by :meth:`save_screenshot_here`, whose
        notification is translated (Textual's own says "Saved screenshot").
        """
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":
                command = command._replace(
                    callback=lambda: self.set_timer(0.1, self.save_screenshot_here)
                )
            yield command._replace(title=_(command.title), help=_(command.help))

    def save_screenshot_here(self) -> None:
        """An SVG of the screen in the files folder, said in the person's language."""
        folder = self.settings.files_dir or Path.cwd()
        try:
            saved = self.save_screenshot(path=str(folder))
        except OSError as exc:
            self.notify(
                _("The screenshot could not be saved: {detail}").format(detail=exc.strerror),
                title=_("Screenshot"),
                severity="error",
                markup=False,
            )
            return
        self.notify(
            _("Screenshot saved to {path}.").format(path=saved),
            title=_("Screenshot"),
            markup=False,
        )

    def action_help_quit(self) -> None:
        """Ctrl+C no longer quits (it copies): say which key does, translated."""
        for active in self.active_bindings.values():
            if active.binding.action in ("quit", "app.quit"):
                key = self.get_key_display(active.binding)
                self.notify(
                    _("Press {key} to quit the app.").format(key=key),
                    title=_("Do you want to quit?"),
                    markup=False,
                )
                return

    # -- help ---------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every binding of the current screen (``?``)."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))


def run(settings: TuiSettings) -> None:
    """Run the app in the terminal until the person quits."""
    MonespaceApp(settings).run()


def _unsaved(screen: object) -> bool:
    """Whether ``screen`` holds edits not saved yet (screens with a ``dirty()``)."""
    dirty = getattr(screen, "dirty", None)
    return callable(dirty) and bool(dirty())


if TYPE_CHECKING:

    def _the_app_is_a_host(app: MonespaceApp) -> PortalHost:
        """Never called: mypy checks here that the app gives the screens all they ask."""
        return app

    def _the_navigator_navigates(navigator: Navigator) -> Navigation:
        """Never called: mypy checks that the navigator opens every screen a screen may ask."""
        return navigator
