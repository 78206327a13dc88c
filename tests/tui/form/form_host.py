"""The smallest PortalHost for the form screen tests, and helpers to drive it."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from monespace_cli.client import PortalClient
from tests.tui.pilot_wait import until as wait_for  # noqa: F401 - re-exported to the tests

#: Philippe Jean Lambert, Namur (sandbox national register), a plain citizen.
CITIZEN = "68031412135"


def session_token(portal_url: str, pki_dir: Any, nrn: str) -> str:
    """A session token through the real challenge–response (key from the sandbox PKI)."""
    import httpx

    from eid.pki import SandboxPKI
    from tests.conftest import sandbox_person, sign_login_message

    creds = SandboxPKI.open(pki_dir).issue_person(sandbox_person(nrn), "1.8")
    with httpx.Client(base_url=portal_url, timeout=30) as http:
        challenge = http.post("/api/v1/auth/challenges")
        assert challenge.status_code == 201, challenge.text
        answer = http.post(
            "/api/v1/auth/sessions", json=sign_login_message(creds, challenge.json())
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])


class FormHost(App[None]):
    """One token, acting as ``me``; errors kept (for asserts) and shown."""

    def __init__(self, portal_url: str, token: str, screen: Screen[Any]) -> None:
        super().__init__()
        self.portal_url = portal_url
        self.token = token
        self.acting_as = "me"
        self.errors: list[BaseException] = []
        self._first = screen

    def compose(self) -> Any:
        yield Static("host")

    def on_mount(self) -> None:
        self.push_screen(self._first)

    def portal(self) -> PortalClient:
        return PortalClient(self.portal_url, token=self.token, acting_as=self.acting_as)

    def report_error(self, error: BaseException) -> None:
        self.errors.append(error)
        try:
            self.notify(f"{type(error).__name__}: {error}", severity="error")
        except RuntimeError:
            self.call_from_thread(self.notify, str(error), severity="error")


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, as plain text (for asserts and debugging)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def field(screen: Any, pointer: str) -> Any:
    """The field widget showing ``pointer`` on the form screen."""
    from tui.forms.widgets import FieldWidget

    for widget in screen.query(FieldWidget):
        if widget.pointer == pointer:
            return widget
    raise AssertionError(f"no field {pointer} on screen")


async def type_in(pilot: Any, screen: Any, pointer: str, text: str) -> None:
    """Type ``text`` into a one-line field with the keyboard (replacing what was there)."""
    from textual.widgets import Input

    box = field(screen, pointer).query_one(Input)
    box.focus()
    box.value = ""
    await pilot.pause()
    await pilot.press(*[{" ": "space"}.get(c, c) for c in text])
    await pilot.pause()


def put(screen: Any, pointer: str, text: str) -> None:
    """Set a one-line or multi-line field's text directly (quicker than typing it)."""
    from textual.widgets import Input, TextArea

    widget = field(screen, pointer)
    boxes = list(widget.query(Input)) or list(widget.query(TextArea))
    box = boxes[0]
    if isinstance(box, Input):
        box.value = text
    else:
        box.text = text


def choose(screen: Any, pointer: str, value: Any) -> None:
    """Pick ``value`` in a Select field (by the option's value, not its label)."""
    from textual.widgets import Select

    widget = field(screen, pointer)
    index = [v for _label, v in widget.node.options].index(value)
    widget.query_one(Select).value = index


def errors_of(screen: Any, pointer: str) -> str:
    """The error text shown under a field."""
    from textual.widgets import Static

    return str(field(screen, pointer).query_one(".field-error", Static).render())
