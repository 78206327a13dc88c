"""What the agent queue shows and asks for, apart from how it is drawn.

The queue screen keeps three things that are plain data, tested without a
terminal: the query (quick filters, typed text, sort) and how it becomes the
portal's query parameters (docs/api.md, ``GET /agent/queue``); the local
narrowing of already loaded rows while the server is asked (so a keystroke
answers at once); and the cells of a row (one place that says how a queue
item reads in each column).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text

from monespace_cli.i18n import N_, _
from tui import format as fmt

#: The portal's queue orders, in the order ``s`` cycles through them.
SORTS = ("age", "-age", "due", "-due", "updated")
SORT_LABELS: dict[str, str] = {
    "age": N_("oldest first"),
    "-age": N_("newest first"),
    "due": N_("due soonest"),
    "-due": N_("due latest"),
    "updated": N_("last changed"),
}

#: Columns (key, header); the mark column comes first and cannot be hidden.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("ref", N_("Reference")),
    ("procedure", N_("Procedure")),
    ("applicant", N_("Applicant")),
    ("status", N_("Status")),
    ("submitted", N_("Submitted")),
    ("due", N_("Due")),
    ("assigned", N_("Assigned")),
)
#: Quick filters: key, label (toggles shown in the footer).
QUICK: tuple[tuple[str, str], ...] = (
    ("mine", N_("Mine")),
    ("unassigned", N_("Unassigned")),
    ("overdue", N_("Overdue")),
    ("awaiting", N_("Awaiting complement")),
)
#: Statuses shown in the header's counts, in the queue's order.
COUNTED = ("submitted", "in_review", "awaiting_complement")


@dataclass(frozen=True)
class QueueQuery:
    """The queue as the agent asked for it: quick filters, typed text, order."""

    text: str = ""
    mine: bool = False
    unassigned: bool = False
    overdue: bool = False
    awaiting: bool = False
    sort: str = "age"

    def toggled(self, quick: str) -> QueueQuery:
        """The query with one quick filter switched; *mine* and *unassigned* exclude each other."""
        value = not getattr(self, quick)
        query = replace(self, **{quick: value})  # type: ignore[arg-type]
        if value and quick == "mine":
            query = replace(query, unassigned=False)
        if value and quick == "unassigned":
            query = replace(query, mine=False)
        return query

    def next_sort(self) -> QueueQuery:
        return replace(self, sort=SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)])

    def filters(self) -> dict[str, Any]:
        """The portal's queue filters (``status``, ``assigned``, ``overdue``, ``q``)."""
        found: dict[str, Any] = {}
        if self.awaiting:
            found["status"] = "awaiting_complement"
        if self.mine:
            found["assigned"] = "me"
        elif self.unassigned:
            found["assigned"] = "none"
        if self.overdue:
            found["overdue"] = True
        if self.text.strip():
            found["q"] = self.text.strip()
        return found

    def active_quick(self) -> list[str]:
        return [key for key, _label in QUICK if getattr(self, key)]


def matches(item: dict[str, Any], text: str) -> bool:
    """Whether a loaded row matches the typed text (reference, applicant, procedure).

    The local half of filter-as-you-type: the server's ``q`` also looks at the
    applicant's id and the dossier number, and its answer replaces this guess.
    """
    needle = fmt.fold(text.strip())
    if not needle:
        return True
    applicant = item.get("applicant") or {}
    haystack = " ".join(
        str(part or "")
        for part in (
            item.get("id"),
            applicant.get("name"),
            applicant.get("id"),
            item.get("procedure"),
            item.get("title"),
            fmt.text(item.get("procedure_title")),
        )
    )
    return needle in fmt.fold(haystack)


def cell(item: dict[str, Any], column: str) -> str | Text:
    """The text of one column for one queue item."""
    if column == "ref":
        return fmt.ref(item.get("id"))
    if column == "procedure":
        return str(item.get("procedure") or "")
    if column == "applicant":
        return str((item.get("applicant") or {}).get("name") or "")
    if column == "status":
        return fmt.status_label(item.get("status"))
    if column == "submitted":
        return fmt.day(item.get("submitted_at"))
    if column == "due":
        due = fmt.day(item.get("decision_due_at"))
        return Text(due + " !", style="bold red") if item.get("overdue") else due
    if column == "assigned":
        return str((item.get("assigned_to") or {}).get("name") or "")
    return ""


def counts_line(counts: dict[str, Any] | None) -> str:
    """``submitted 12 · in review 30 · complement requested 4 · total 46``."""
    if not counts:
        return ""
    per_status = counts.get("counts") or {}
    parts = [f"{fmt.status_label(s)} {int(per_status.get(s, 0))}" for s in COUNTED]
    parts.append(_("total {n}").format(n=int(counts.get("total", 0))))
    return " · ".join(parts)


def sort_label(sort: str) -> str:
    text = SORT_LABELS.get(sort)
    return _(text) if text else sort
