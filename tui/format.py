"""How the TUI shows the portal's values: statuses, dates, money, contexts.

One module so that every screen says "awaiting complement" the same way and
translations live in one place. Dates are shown dd/mm/yyyy and times in
local time; no clock is read here, which keeps snapshot tests deterministic.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from rich.cells import cell_len, set_cell_size

from monespace_cli.forms import display_date
from monespace_cli.i18n import N_, _, pick_language

# A procedure's audience, fee and legal time read as in the CLI (one implementation).
from monespace_cli.procedure_text import audience_label as audience_label
from monespace_cli.procedure_text import fee as fee
from monespace_cli.procedure_text import legal_time as legal_time
from monespace_cli.status_text import STATUS_LABELS as STATUS_LABELS
from monespace_cli.status_text import status_label as status_label

EVENT_LABELS: dict[str, str] = {
    "created": N_("created"),
    "data_updated": N_("data updated"),
    "attachment_added": N_("attachment added"),
    "submitted": N_("submitted"),
    "status_changed": N_("status changed"),
    "message": N_("message"),
    "payment": N_("payment"),
    "document": N_("document"),
}


def event_label(kind: object) -> str:
    """The translated name of a dossier event type."""
    text = EVENT_LABELS.get(str(kind))
    return _(text) if text else str(kind)


def when(value: object) -> str:
    """``14/03/2026 10:30`` (local time) from an ISO timestamp; ``""`` for nothing.

    People read dates as they write them (dd/mm/yyyy) and times on their own clock.
    """
    if not value:
        return ""
    text = str(value)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text.replace("T", " ")[:16]
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d/%m/%Y %H:%M")


def day(value: object) -> str:
    """``14/03/2026`` from an ISO date or timestamp."""
    return display_date(str(value)[:10]) if value else ""


def text(value: Any) -> str:
    """A multilingual portal text (``{"fr":…, "en":…}``) in the user's language."""
    return pick_language(value) if isinstance(value, dict) else str(value or "")


def context_label(context: dict[str, Any]) -> str:
    """``Me — Name`` or ``Name (BCE, via mandate)`` for the context switcher."""
    if context.get("kind") == "person" or context.get("id") == "me":
        return _("Me — {name}").format(name=context.get("name", ""))
    via = {
        "legal_rep": _("legal representative"),
        "role": _("role"),
        "mandate": _("mandate"),
    }.get(str(context.get("via")), str(context.get("via", "")))
    return f"{context.get('name', '')} ({context.get('bce') or context.get('id')}, {via})"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells, "…" marking the cut (wide characters count 2)."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(width - 1, 0)).rstrip() + "…"


def ref(dossier_id: object) -> str:
    """A dossier reference as shown (one place, so that tests can freeze the year in it)."""
    return str(dossier_id or "")


def fold(text: str) -> str:
    """Lower case without accents: "Wéry" is found by "wery", "pêche" by "peche".

    The same folding as the portal's queue search (portal/search_key.py), so
    what the screen narrows to locally agrees with the portal's answer.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
