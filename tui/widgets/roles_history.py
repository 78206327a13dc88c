"""The CSAM audit trail of an organisation, newest first, fetched page by page.

Why it asks for more instead of loading everything: the trail of a large
firm grows without bound; the table posts :class:`HistoryTable.NeedMore`
when the cursor or the scroll gets near the last loaded line, and the screen
fetches the next cursor page in a worker (the UI never waits).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.message import Message
from textual.widgets import DataTable

from monespace_cli.i18n import _
from tui import format as fmt

Entry = Mapping[str, Any]

#: How close to the last loaded line the next page is requested.
LOOKAHEAD = 5


def action_label(action: str) -> str:
    """The audit action (``role.grant``…) in words."""
    labels = {
        "gap.designate": _("GAP designated"),
        "gap.remove": _("GAP removed"),
        "role.grant": _("role granted"),
        "role.change": _("role changed"),
        "role.revoke": _("role revoked"),
        "mandate.propose": _("mandate proposed"),
        "mandate.accept": _("mandate accepted"),
        "mandate.refuse": _("mandate refused"),
        "mandate.revoke": _("mandate revoked"),
    }
    return labels.get(action, action)


def _subject(value: Mapping[str, Any]) -> str:
    """Who or what an entry is about, from its ``old``/``new`` snapshot."""
    if "domain" in value:
        return f"{value.get('name') or value.get('nrn')} · {value['domain']}"
    if "beneficiary" in value and "mandataire" in value:
        return f"{_name(value['beneficiary'])} ← {_name(value['mandataire'])}"
    return str(value.get("name") or value.get("nrn") or "")


def _name(side: Any) -> str:
    if isinstance(side, Mapping):
        return str(side.get("name") or side.get("bce") or "")
    return str(side)


_WATCHED = ("level", "valid_until", "state", "domains", "on_mandates")


def describe_change(entry: Entry) -> str:
    """What changed, in one line: the subject and the fields that moved."""
    old, new = entry.get("old") or {}, entry.get("new") or {}
    subject = _subject(new or old) or str(entry.get("target") or "")
    moved = [
        f"{key} {_short(old.get(key))} → {_short(new.get(key))}"
        for key in _WATCHED
        if old and new and old.get(key) != new.get(key)
    ]
    if not old and new.get("level"):
        moved.append(str(new["level"]))
    return " · ".join([subject, *moved])


def _short(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def when(entry: Entry) -> str:
    """``23/11/2026 16:40`` in local time (minutes are enough here)."""
    return fmt.when(entry.get("at"))


class HistoryTable(DataTable[str]):
    """Audit entries as rows; remembers the next page's cursor."""

    DEFAULT_CSS = """
    HistoryTable { height: 1fr; }
    """

    class NeedMore(Message):
        """The reader got near the end of what is loaded."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.next_cursor: str | None = None
        self.loaded = False
        self.asking = False

    def on_mount(self) -> None:
        for label in (_("When"), _("Who"), _("What"), _("Change")):
            self.add_column(label)

    def reset(self) -> None:
        """Forget every line (after a change, the trail is read again from the top)."""
        self.clear()
        self.next_cursor = None
        self.loaded = False
        self.asking = False

    def append(self, entries: Iterable[Entry], next_cursor: str | None) -> None:
        """Add one page below the others."""
        for entry in entries:
            actor = entry.get("actor") or {}
            self.add_row(
                when(entry),
                str(actor.get("name") or actor.get("nrn") or ""),
                action_label(str(entry.get("action"))),
                describe_change(entry),
                key=str(entry["id"]),
            )
        self.next_cursor = next_cursor
        self.loaded = True
        self.asking = False

    def _maybe_more(self) -> None:
        if self.next_cursor and not self.asking:
            self.asking = True
            self.post_message(self.NeedMore())

    def watch_cursor_coordinate(self, old: Any, new: Any) -> None:
        super().watch_cursor_coordinate(old, new)
        if new.row >= self.row_count - LOOKAHEAD:
            self._maybe_more()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new >= self.max_scroll_y - LOOKAHEAD:
            self._maybe_more()
