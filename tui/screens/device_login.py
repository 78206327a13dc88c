"""Login on another device (RFC 8628): the code, the address and its QR code, then the wait.

Opened from the login screen for people without a card reader. The waiting
rule is :func:`monespace_cli.device_login.wait_for_session`, the same as
``monespace auth login --device``; here its ``sleep`` waits on an event that
leaving the screen (Escape, or "Back") sets, so the worker stops at once and
nothing is kept. The QR code is the compact one and sits beside the text,
so the whole screen fits an 80×24 terminal.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Label, Static

from monespace_cli.client import DeviceAuthorization, PortalClient
from monespace_cli.device_login import DeviceLoginEnded, wait_for_session
from monespace_cli.i18n import _
from monespace_cli.qr import qr_text
from tui.errors import describe
from tui.screens.base import PortalScreen


class DeviceLoginScreen(PortalScreen[str | None]):
    """Show the user code and the address; wait until approved, refused or expired.

    Dismissed with the session token once approved, with None when left.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Back")),
    ]

    DEFAULT_CSS = """
    DeviceLoginScreen { align: center middle; }
    DeviceLoginScreen #device-box { width: auto; max-width: 100%; height: auto; }
    DeviceLoginScreen #device-qr { width: auto; height: auto; margin-right: 2; }
    DeviceLoginScreen #device-text { width: 44; height: auto; }
    DeviceLoginScreen #device-title { text-style: bold; margin-bottom: 1; }
    DeviceLoginScreen #device-code { text-style: bold; color: $accent; margin: 1 0; }
    DeviceLoginScreen #device-status { color: $text-muted; height: auto; margin-bottom: 1; }
    DeviceLoginScreen #device-error { color: $error; height: auto; margin-bottom: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = threading.Event()
        self.started: DeviceAuthorization | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="device-box"):
            yield Static("", id="device-qr")
            with Vertical(id="device-text"):
                yield Label(_("Log in on another device"), id="device-title")
                yield Static(_("Asking the portal for a code…"), id="device-address")
                yield Static("", id="device-code")
                yield Static("", id="device-status")
                yield Static("", id="device-error")
                yield Button(_("Back"), id="device-back")
        yield Footer()

    def on_mount(self) -> None:
        url = self.host.settings.portal_url

        def start() -> DeviceAuthorization:
            with PortalClient(url) as client:
                return client.start_device_login()

        self.run_in_thread(start, self._show, self._failed, group="device", exclusive=True)

    def _show(self, started: DeviceAuthorization) -> None:
        self.started = started
        self.query_one("#device-qr", Static).update(
            qr_text(started["verification_uri_complete"], compact=True)
        )
        self.query_one("#device-address", Static).update(
            _(
                "Scan the code, or open {address} on your phone or another computer and enter:"
            ).format(address=started["verification_uri"])
        )
        self.query_one("#device-code", Static).update(started["user_code"])
        self.query_one("#device-status", Static).update(_("Waiting for the approval…"))
        self._wait(started)

    def _wait(self, started: DeviceAuthorization) -> None:
        url, cancelled = self.host.settings.portal_url, self.cancelled

        def wait() -> str:
            with PortalClient(url) as client:
                session = wait_for_session(client, started, sleep=cancelled.wait)
            return str(session["token"])

        self.run_in_thread(wait, self._approved, self._failed, group="device", exclusive=True)

    def _approved(self, token: str) -> None:
        self.dismiss(token)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, DeviceLoginEnded):
            if error.reason == "cancelled":
                return
            message = (
                _("The login was refused on the other device.")
                if error.reason == "access_denied"
                else _("The code has expired before the login was approved.")
            )
        else:
            message = describe(error)[1]
        self.query_one("#device-status", Static).update("")
        self.query_one("#device-error", Static).update(message + "\n" + _("Go back to try again."))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "device-back":
            event.stop()
            self.action_back()

    def action_back(self) -> None:
        """Stop waiting (the worker ends at its next wake-up) and return to the card login."""
        self.cancelled.set()
        self.dismiss(None)
