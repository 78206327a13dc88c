"""The modal that proposes a mandate between this organisation and another.

Why the side is asked and not guessed: the same GAP may run an accounting
firm (mandataire) that is also a client of another firm (beneficiary); the
other organisation then accepts or refuses from its own roles screen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from monespace_cli.i18n import _
from monespace_cli.roles_file import DOMAINS, bce_ok, clean_number
from tui.widgets.roles_role_form import display_day, parse_day

_CSS = """
MandateFormModal { align: center middle; }
MandateFormModal > VerticalScroll {
    width: 72; max-width: 100%; height: auto; max-height: 100%;
    border: thick $accent; background: $surface; padding: 0 1;
}
MandateFormModal Label.field { margin-top: 1; }
MandateFormModal SelectionList { height: auto; max-height: 11; }
MandateFormModal .error { color: $error; height: auto; }
MandateFormModal Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
MandateFormModal Button { margin: 0 1; }
"""

#: This organisation's side of the mandate.
BENEFICIARY, MANDATAIRE = "beneficiary", "mandataire"


class MandateFormModal(ModalScreen[dict[str, Any] | None]):
    """Dismissed with the body of ``POST /mandates`` or None."""

    DEFAULT_CSS = _CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", _("Save")),
        Binding("escape", "cancel", _("Cancel")),
    ]

    def __init__(self, bce: str, *, today: dt.date | None = None) -> None:
        super().__init__()
        self.bce = bce
        self.today = today or dt.datetime.now(dt.UTC).date()

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(_("Propose a mandate"), classes="title")
            yield Label(_("This organisation is"), classes="field")
            sides = [
                (_("the beneficiary (another firm acts for it)"), BENEFICIARY),
                (_("the mandataire (it acts for another organisation)"), MANDATAIRE),
            ]
            yield Select(sides, value=BENEFICIARY, allow_blank=False, id="side")
            yield Label(_("Other organisation (BCE number)"), classes="field")
            yield Input(placeholder="0856.712.314", id="other")
            yield Label(_("Domains (space to tick)"), classes="field")
            yield SelectionList[str](*[(d, d) for d in DOMAINS], id="domains")
            yield Label(_("Valid from (dd/mm/yyyy, empty: today)"), classes="field")
            yield Input(placeholder=display_day(self.today.isoformat()), id="valid_from")
            yield Label(_("Valid until (dd/mm/yyyy, empty: no end)"), classes="field")
            yield Input(placeholder=_("dd/mm/yyyy"), id="valid_until")
            yield Static("", classes="error", id="error")
            with Horizontal():
                yield Button(_("Propose"), variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#other").focus()

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
        try:
            body = self._body()
        except ValueError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        self.dismiss(body)

    def _body(self) -> dict[str, Any]:
        raw = self.query_one("#other", Input).value
        other = clean_number(raw)
        if not bce_ok(other):
            raise ValueError(_("{value!r} is not a valid BCE number.").format(value=raw))
        if other == self.bce:
            raise ValueError(_("A mandate links two different organisations."))
        domains = list(self.query_one("#domains", SelectionList).selected)
        if not domains:
            raise ValueError(_("Tick at least one domain."))
        start = self._day("#valid_from", _("Valid from")) or self.today
        until = self._day("#valid_until", _("Valid until"))
        if until and until < start:
            raise ValueError(_("The end date must not be before the start date."))
        ours = self.query_one("#side", Select).value
        beneficiary, mandataire = (self.bce, other) if ours == BENEFICIARY else (other, self.bce)
        body: dict[str, Any] = {
            "beneficiary": beneficiary,
            "mandataire": mandataire,
            "domains": [d for d in DOMAINS if d in domains],
            "valid_from": start.isoformat(),
        }
        if until:
            body["valid_until"] = until.isoformat()
        return body

    def _day(self, selector: str, label: str) -> dt.date | None:
        value = self.query_one(selector, Input).value
        try:
            return parse_day(value)
        except ValueError:
            message = _("{option}: {value!r} is not a date (dd/mm/yyyy).")
            raise ValueError(message.format(option=label, value=value)) from None
