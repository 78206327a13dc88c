"""``agent history``: every change of a dossier, assignments and notes included.

The note texts stay private: the history says a note was added, not what
it says. Scripts get the events as the API sent them; people get a readable
old → new column, which ``agent show`` uses too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from monespace_cli.client import Event
from monespace_cli.commands._shared.arguments import DOSSIER_ID
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.context import current
from monespace_cli.i18n import _
from monespace_cli.output import Column, cell_text, fields_of

verbs = verb_group()


@verbs.command("history")
def history(dossier_id: DOSSIER_ID) -> None:
    """Every change of a dossier, with assignments and notes (not their text)."""
    f = current()
    with f.client() as client:
        events = client.agent_history(dossier_id)
    if not f.printer.human:
        f.printer.list(events, [], empty=_("No event."), fields=fields_of(Event))
        return
    f.printer.list(with_change(events), history_columns(), empty=_("No event."))


def _change(event: Mapping[str, Any]) -> str:
    old, new = event.get("old"), event.get("new")
    if old is None and new is None:
        return cell_text(event.get("detail"))
    if old is None:
        return cell_text(new)
    return f"{cell_text(old)} → {cell_text(new)}"


def with_change(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Events with a readable ``change`` (old → new) for the history table."""
    return [{**event, "change": _change(event)} for event in events]


def history_columns() -> list[Column]:
    return [
        Column("at", _("WHEN")),
        Column("type", _("EVENT")),
        Column("actor.name", _("WHO")),
        Column("change", _("CHANGE")),
    ]
