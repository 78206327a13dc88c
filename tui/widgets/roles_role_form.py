"""The modal that grants a role, or changes the level / end date of one.

Why checks here as well as on the portal: a typo in an NRN or a date is
caught with the check digit before anything is sent, and shown under the
field; what only the portal knows (an unknown person, a duplicate role)
comes back as a notification and the form opens again with the values
typed and the portal's messages (``values=``, ``problem=``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, Switch

from monespace_cli import dates
from monespace_cli.i18n import _
from monespace_cli.roles_file import DOMAINS, LEVELS, clean_number, nrn_ok
from tui import format as fmt

_CSS = """
RoleFormModal { align: center middle; }
RoleFormModal > VerticalScroll {
    width: 72; max-width: 100%; height: auto; max-height: 100%;
    border: thick $accent; background: $surface; padding: 0 1;
}
RoleFormModal Label.field { margin-top: 1; }
RoleFormModal .error { color: $error; height: auto; }
RoleFormModal Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
RoleFormModal Horizontal.switch { align-horizontal: left; margin-top: 0; }
RoleFormModal Button { margin: 0 1; }
"""


def display_day(value: object) -> str:
    """A stored ISO day as people read it (``31/12/2027``); "" for none."""
    return fmt.day(value)


def parse_day(text: str) -> dt.date | None:
    """A day typed ``dd/mm/yyyy`` or ``YYYY-MM-DD`` (None when empty); ValueError else.

    The CLI's date rule (:mod:`monespace_cli.dates`) is the one used, so that
    the TUI's dialogs and the commands accept the same dates.
    """
    text = text.strip()
    if not text:
        return None
    try:
        return dates.parse_day(text, relative=True)
    except dates.DateError:
        raise ValueError(text) from None


class RoleFormModal(ModalScreen[dict[str, Any] | None]):
    """Grant (``role`` is None) or change (``role`` given); dismissed with the API body.

    For a grant the body is ``{"nrn","domain","level","valid_from"?,
    "valid_until"?,"on_mandates"}``; for a change ``{"level","valid_until"}``
    (``valid_until: None`` removes the end date).
    """

    DEFAULT_CSS = _CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", _("Save")),
        Binding("escape", "cancel", _("Cancel")),
    ]

    def __init__(
        self,
        *,
        nrn: str = "",
        domain: str | None = None,
        role: Mapping[str, Any] | None = None,
        on_mandates_allowed: bool = True,
        values: Mapping[str, Any] | None = None,
        problem: str = "",
    ) -> None:
        super().__init__()
        self.values = dict(values or {})
        self.nrn = str(self.values.get("nrn") or nrn)
        self.domain = self.values.get("domain") or domain
        self.role = role
        self.on_mandates_allowed = on_mandates_allowed
        self.problem = problem

    @property
    def granting(self) -> bool:
        return self.role is None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            if self.granting:
                yield Static(_("Grant a role"), classes="title")
                yield Label(_("Person (national register number)"), classes="field")
                yield Input(self.nrn, placeholder="85.07.30-033.28", id="nrn")
                yield Label(_("Domain"), classes="field")
                yield Select(
                    [(d, d) for d in DOMAINS],
                    prompt=_("Choose…"),
                    value=self.domain or Select.NULL,
                    id="domain",
                )
            else:
                assert self.role is not None
                title = _("Change the role of {name} in {domain}").format(
                    name=self.role.get("name", self.role["nrn"]), domain=self.role["domain"]
                )
                yield Static(title, classes="title")
            level = self.role["level"] if self.role else self.values.get("level", "consult")
            yield Label(_("Level"), classes="field")
            yield Select([(lv, lv) for lv in LEVELS], value=level, allow_blank=False, id="level")
            if self.granting:
                yield Label(_("Valid from (dd/mm/yyyy, empty: today)"), classes="field")
                start = display_day(self.values.get("valid_from"))
                yield Input(start, placeholder=_("dd/mm/yyyy"), id="valid_from")
            source = self.role if self.role else self.values
            until = display_day(source.get("valid_until"))
            yield Label(_("Valid until (dd/mm/yyyy, empty: no end)"), classes="field")
            yield Input(until, placeholder=_("dd/mm/yyyy"), id="valid_until")
            if self.granting and self.on_mandates_allowed:
                with Horizontal(classes="switch"):
                    yield Switch(bool(self.values.get("on_mandates")), id="on_mandates")
                    yield Label(_("For the organisation's clients (on mandates)"))
            yield Static(self.problem, classes="error", id="error")
            with Horizontal():
                yield Button(_("Save"), variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        first = "#nrn" if self.granting and not self.nrn else "#level"
        self.query_one(first).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        """Check the fields; dismiss with the body, or show the first problem."""
        try:
            body = self._body()
        except ValueError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        self.dismiss(body)

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def _body(self) -> dict[str, Any]:
        level = str(self.query_one("#level", Select).value)
        until = self._day("#valid_until", _("Valid until"))
        if not self.granting:
            start = parse_day(str(self.role.get("valid_from") or "")) if self.role else None
            _check_order(start, until)
            return {"level": level, "valid_until": until.isoformat() if until else None}
        nrn = clean_number(self._value("#nrn"))
        if not nrn_ok(nrn):
            raise ValueError(
                _("{value!r} is not a valid national register number.").format(
                    value=self._value("#nrn")
                )
            )
        domain = self.query_one("#domain", Select).value
        if domain is Select.NULL:
            raise ValueError(_("Choose a domain."))
        start = self._day("#valid_from", _("Valid from"))
        _check_order(start, until)
        body: dict[str, Any] = {"nrn": nrn, "domain": str(domain), "level": level}
        if start:
            body["valid_from"] = start.isoformat()
        if until:
            body["valid_until"] = until.isoformat()
        switches = self.query("#on_mandates")
        body["on_mandates"] = bool(switches and self.query_one("#on_mandates", Switch).value)
        return body

    def _day(self, selector: str, label: str) -> dt.date | None:
        try:
            return parse_day(self._value(selector))
        except ValueError:
            message = _("{option}: {value!r} is not a date (dd/mm/yyyy).")
            raise ValueError(message.format(option=label, value=self._value(selector))) from None


def _check_order(start: dt.date | None, until: dt.date | None) -> None:
    if start and until and until < start:
        raise ValueError(_("The end date must not be before the start date."))
