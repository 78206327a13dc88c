"""Login with the eID card: readers live, PIN masked or on the keypad, then the session.

The screen follows the readers while it is shown (a thread worker asks the
app's :class:`tui.cards.CardSource` every ``reader_poll`` seconds and
redraws only on change), so inserting or pulling the card is reflected at
once. The challenge–response itself is :func:`monespace_cli.login.sign_in`,
the same code as ``monespace auth login``.

The PIN: typed in a masked field and taken out of it before anything else
happens; it goes to the card only, through a closure — never as a worker
argument (Textual puts those in the worker's description), never logged,
never shown. A pinpad reader takes it on its own keypad instead.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static
from textual.worker import get_current_worker

from eid.errors import EidError, LastTryRefused
from monespace_cli.client import PortalClient
from monespace_cli.i18n import _
from monespace_cli.login import sign_in
from tui.cards import ReaderState
from tui.errors import card_message, describe
from tui.screens.base import PortalScreen
from tui.threads import on_ui

if TYPE_CHECKING:
    from eid.card import EidCard


class LoginScreen(PortalScreen[None]):
    """First screen without a session: card status, PIN, log in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "login", _("Log in"), show=True, priority=False),
        Binding("ctrl+r", "rescan", _("Rescan readers")),
        Binding("f2", "device_login", _("Another device")),
    ]

    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen #login-box {
        width: 64; max-width: 100%; height: auto;
        border: round $accent; padding: 1 2;
    }
    LoginScreen #login-title { text-style: bold; margin-bottom: 1; }
    LoginScreen #readers { height: auto; margin-bottom: 1; }
    LoginScreen #card-status { height: auto; margin-bottom: 1; }
    LoginScreen #card-status.-ready { color: $success; }
    LoginScreen #card-status.-missing { color: $warning; }
    LoginScreen #force-last { display: none; }
    LoginScreen #force-last.-shown { display: block; }
    LoginScreen #login-buttons { height: auto; }
    LoginScreen #device-button { margin-left: 1; }
    LoginScreen #login-error { color: $error; height: auto; margin-top: 1; }
    LoginScreen #login-info { color: $text-muted; height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.readers: list[ReaderState] = []
        self.reader_error: str | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Label(_("Log in to Mon Espace with your eID card"), id="login-title")
            yield Static(_("Looking for card readers…"), id="readers")
            yield Static("", id="card-status")
            yield Input(
                password=True,
                placeholder=_("PIN (4 to 12 digits)"),
                max_length=12,
                restrict=r"[0-9]*",
                id="pin",
            )
            yield Checkbox(_("Use the last PIN try (I am sure of my PIN)"), id="force-last")
            with Horizontal(id="login-buttons"):
                yield Button(_("Log in"), variant="primary", id="login-button")
                yield Button(_("No card reader? Use another device"), id="device-button")
            yield Static("", id="login-info")
            yield Static("", id="login-error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()
        self._watch_readers()

    # -- readers, live -------------------------------------------------------------

    def _watch_readers(self) -> None:
        app, source = self.app, self.host.card_source()
        interval = float(self.host.settings.reader_poll)

        def follow_readers() -> None:
            """Poll until cancelled; a loop that reports each change, hence not run_in_thread."""
            worker = get_current_worker()
            last: Any = object()
            while not worker.is_cancelled:
                error: str | None = None
                try:
                    states = source.readers()
                except EidError as exc:
                    states, error = [], card_message(exc)
                except Exception as exc:  # noqa: BLE001 - never a crash; show it
                    states, error = [], f"{type(exc).__name__}: {exc}"
                if (states, error) != last:
                    last = (states, error)
                    try:
                        app.call_from_thread(self._show_readers, states, error)
                    except RuntimeError:
                        return  # the app is closing
                time.sleep(interval)

        self.run_worker(
            follow_readers, thread=True, exclusive=True, group="readers", description="readers"
        )

    def action_rescan(self) -> None:
        self._watch_readers()

    def _show_readers(self, states: list[ReaderState], error: str | None) -> None:
        self.readers, self.reader_error = states, error
        lines = []
        for state in states:
            mark = {"present": "▣", "empty": "□"}.get(state.card, "?")
            card = {
                "present": _("card inserted"),
                "empty": _("no card"),
            }.get(state.card, _("state unknown"))
            pad = " · " + _("PIN pad") if state.pinpad else ""
            lines.append(f"{mark} {state.name} — {card}{pad}")
        readers = self.query_one("#readers", Static)
        readers.update("\n".join(lines) if lines else (error or _("No card reader found.")))
        status = self.query_one("#card-status", Static)
        chosen = self._chosen()
        status.set_class(chosen is not None, "-ready")
        status.set_class(chosen is None, "-missing")
        if chosen is None:
            if states:
                status.update(_("Insert your eID card in a reader."))
            elif error:
                status.update("")
            else:
                status.update(_("Plug in a card reader, then insert your eID card."))
        elif chosen.pinpad:
            status.update(_("Card ready. Press Enter, then type your PIN on the reader."))
        else:
            status.update(_("Card ready. Type your PIN and press Enter."))
        self.query_one("#pin", Input).display = not (chosen is not None and chosen.pinpad)

    def _chosen(self) -> ReaderState | None:
        """The reader the login will use: the configured one, else the first with a card."""
        wanted = self.host.settings.reader
        for state in self.readers:
            if (wanted is None or state.name == wanted) and state.card == "present":
                return state
        return None

    # -- log in --------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_login()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "login-button":
            event.stop()
            self.action_login()
        elif event.button.id == "device-button":
            event.stop()
            self.action_device_login()

    def action_device_login(self) -> None:
        """No card reader: approve on a phone or another computer (RFC 8628)."""
        if not self.busy:
            self.host.navigate.device_login(self._device_done)

    def _device_done(self, token: str | None) -> None:
        if token:
            self.host.logged_in(token)

    def action_login(self) -> None:
        if self.busy:
            return
        pin_input = self.query_one("#pin", Input)
        pin = pin_input.value
        pin_input.value = ""  # out of the widget at once, whatever happens next
        chosen = self._chosen()
        if chosen is None:
            self._fail(_("Insert your eID card in a reader first."))
            return
        if not chosen.pinpad and not pin:
            self._fail(_("Type your PIN first."))
            return
        force = self.query_one("#force-last", Checkbox).value
        self._set_busy(True, _("Reading the card and signing in…"))
        self._sign_in(pin, chosen, force)

    def _sign_in(self, pin: str, reader: ReaderState, force: bool) -> None:
        app, settings = self.app, self.host.settings
        source = self.host.card_source()
        reader_name = None if settings.card_connection is not None else reader.name
        secret = [pin]  # emptied after use; the closure is the only holder

        def verify(card: EidCard) -> None:
            if reader.pinpad:
                on_ui(app, self._set_busy, True, _("Type your PIN on the reader's keypad."))
                card.verify_pin_pinpad(force_last_try=force)
                return
            value = secret.pop() if secret else ""
            card.verify_pin(value, force_last_try=force)

        def log_in() -> str:
            try:
                with PortalClient(settings.portal_url) as client:
                    session = sign_in(
                        client, settings.portal_url, lambda: source.open(reader_name), verify
                    )
            finally:
                secret.clear()
            return str(session["token"])

        # Every failure is shown on this screen, never as a notification.
        self.run_in_thread(
            log_in, self._login_done, self._login_failed, group="login", exclusive=True
        )
        del pin

    def _login_done(self, token: str) -> None:
        self._set_busy(False, "")
        self.host.logged_in(token)

    def _login_failed(self, error: BaseException) -> None:
        self._set_busy(False, "")
        if isinstance(error, LastTryRefused):
            self.query_one("#force-last", Checkbox).add_class("-shown")
        if isinstance(error, EidError):
            self._fail(card_message(error))
        else:
            self._fail(describe(error)[1])
        self.query_one("#pin", Input).focus()

    def _fail(self, message: str) -> None:
        self.query_one("#login-error", Static).update(message)

    def _set_busy(self, busy: bool, info: str) -> None:
        self.busy = busy
        self.query_one("#login-button", Button).disabled = busy
        self.query_one("#login-info", Static).update(info)
        if busy:
            self.query_one("#login-error", Static).update("")
