"""The mandates of an organisation, either side, pending ones first.

Why pending first: a mandate proposed *to* this organisation is the only
line that needs the GAP (accept or refuse); the others are for reference.
The rules of which action fits which line live here as pure functions so
the screen's key bindings and the tests agree on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from monespace_cli.i18n import _

Mandate = Mapping[str, Any]


def awaits_decision(mandate: Mandate, bce: str) -> bool:
    """Proposed by the other side: this organisation accepts or refuses it."""
    return mandate.get("state") == "proposed" and mandate.get("proposed_by") != bce


def can_revoke(mandate: Mandate) -> bool:
    """Either side may end an active mandate or withdraw a proposal."""
    return mandate.get("state") in ("active", "proposed")


def _rank(mandate: Mandate, bce: str) -> tuple[int, str]:
    state = str(mandate.get("state"))
    order = 0 if awaits_decision(mandate, bce) else {"proposed": 1, "active": 2}.get(state, 3)
    return order, str(mandate.get("valid_from") or "")


def sort_mandates(mandates: Iterable[Mandate], bce: str) -> list[Mandate]:
    """Awaiting this organisation, then its own proposals, active, and the rest."""
    return sorted(mandates, key=lambda m: _rank(m, bce))


def state_text(mandate: Mandate, bce: str) -> Text:
    """The state as a person reads it (who must act next for a proposal)."""
    state = str(mandate.get("state"))
    if awaits_decision(mandate, bce):
        return Text(_("to decide"), style="bold reverse")
    labels = {
        "proposed": _("proposed, awaiting them"),
        "active": _("active"),
        "refused": _("refused"),
        "revoked": _("revoked"),
        "expired": _("expired"),
    }
    style = "bold" if state == "active" else "dim" if state != "proposed" else ""
    return Text(labels.get(state, state), style=style)


def other_party(mandate: Mandate, bce: str) -> str:
    """The organisation on the other side and which side it is."""
    beneficiary, mandataire = mandate["beneficiary"], mandate["mandataire"]
    if beneficiary.get("bce") == bce:
        return _("{name} acts for us").format(name=mandataire.get("name") or mandataire["bce"])
    return _("we act for {name}").format(name=beneficiary.get("name") or beneficiary["bce"])


class MandatesTable(DataTable[Any]):
    """One row a mandate; :meth:`current` is the mandate under the cursor."""

    DEFAULT_CSS = """
    MandatesTable { height: 1fr; }
    """

    def __init__(self, bce: str, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.bce = bce
        self.mandates: list[Mandate] = []

    def show(self, mandates: Iterable[Mandate]) -> None:
        """Redraw; the cursor follows the mandate it was on (its state may move it)."""
        row = self.cursor_row
        was = self.current()
        self.mandates = sort_mandates(mandates, self.bce)
        self.clear(columns=True)
        for label in (_("State"), _("With"), _("Domains"), _("From"), _("Until")):
            self.add_column(label)
        for mandate in self.mandates:
            self.add_row(
                state_text(mandate, self.bce),
                other_party(mandate, self.bce),
                ", ".join(mandate.get("domains") or []),
                str(mandate.get("valid_from") or ""),
                str(mandate.get("valid_until") or "—"),
                key=str(mandate["id"]),
            )
        ids = [str(m["id"]) for m in self.mandates]
        if was is not None and str(was["id"]) in ids:
            row = ids.index(str(was["id"]))
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))

    def current(self) -> Mandate | None:
        """The mandate of the highlighted row, if any."""
        if not self.row_count:
            return None
        return self.mandates[self.cursor_row]
