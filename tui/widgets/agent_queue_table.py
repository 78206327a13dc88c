"""The agent queue's table: the loaded rows, a local narrowing, marks, chosen columns.

Why a DataTable holding only what was fetched: the portal pages the queue
by cursor (100 rows at a time) and the screen asks for the next page when
the cursor comes near the end, so 100,000 dossiers never reach the client
at once; DataTable draws only the visible lines of what it holds.

The table keeps every loaded item (``order``, the server's order) apart
from the rows it shows: typing narrows the shown rows at once without
forgetting the others, and a row updated by the live stream is rewritten
in place — cell by cell, so the cursor and the scroll never move.
Marks (space) are kept by dossier id: they survive narrowing and paging.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from monespace_cli.i18n import _
from tui.agent_queue_model import COLUMNS, cell, matches

MARK = "●"
#: Every column has a fixed width (at least its header's): a long name is cut
#: rather than pushing the due date out of an 80- or 120-column terminal, and
#: the layout never waits for the table to measure its rows (a row added while
#: the screen was still being set up once left auto-width columns at the width
#: of their header: "MSP-2026-" for a reference).
WIDTHS = {
    "ref": 15,
    "procedure": 14,
    "applicant": 20,
    "status": 14,
    "submitted": 10,
    "due": 12,
    "assigned": 16,
}
#: Below this many columns the table starts compact: procedure and assignee
#: hidden (the preview shows both; ``v`` brings them back), names narrower,
#: so that reference, applicant, status and both dates fit in 80 columns.
COMPACT_BELOW = 100
COMPACT_HIDDEN = frozenset({"procedure", "assigned"})
COMPACT_WIDTHS = {"applicant": 16, "status": 12}


class QueueTable(DataTable[str | Text]):
    """Queue items as rows keyed by dossier id."""

    DEFAULT_CSS = """
    QueueTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        #: Every loaded item by id, and the ids in the portal's order.
        self.items: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        #: Dossier ids marked with space (for a bulk action).
        self.marked: set[str] = set()
        #: Column keys the agent hid.
        self.hidden: set[str] = set()
        #: The text rows are narrowed to locally ("" = every loaded row).
        self.narrow = ""
        #: A narrow terminal at mount: fewer, narrower columns (COMPACT_BELOW).
        self.compact = False

    def on_mount(self) -> None:
        self.compact = self.app.size.width < COMPACT_BELOW
        if self.compact:
            self.hidden = set(COMPACT_HIDDEN)
        self._add_columns()

    def _add_columns(self) -> None:
        widths = {**WIDTHS, **COMPACT_WIDTHS} if self.compact else WIDTHS
        self.add_column(" ", key="mark", width=1)
        for key, header in COLUMNS:
            if key not in self.hidden:
                label = _(header)
                self.add_column(label, key=key, width=max(widths[key], cell_len(label)))

    def _cells(self, item: dict[str, Any]) -> list[str | Text]:
        mark = MARK if str(item.get("id")) in self.marked else " "
        return [mark, *(cell(item, key) for key, _h in COLUMNS if key not in self.hidden)]

    # -- what is loaded ----------------------------------------------------------------

    def replace_items(self, items: Iterable[dict[str, Any]]) -> None:
        """A new first page (new filters or sort): forget the old rows, keep the marks."""
        self.items = {}
        self.order = []
        self._remember(items)
        self._redraw(keep=None)

    def append_items(self, items: Iterable[dict[str, Any]]) -> list[str]:
        """The next page: add the rows not seen yet, at the end; the ids added."""
        added = self._remember(items)
        for dossier_id in added:
            item = self.items[dossier_id]
            if matches(item, self.narrow):
                self.add_row(*self._cells(item), key=dossier_id)
        return added

    def _remember(self, items: Iterable[dict[str, Any]]) -> list[str]:
        added: list[str] = []
        for item in items:
            dossier_id = str(item.get("id"))
            if dossier_id in self.items:
                self.items[dossier_id] = dict(item)
                continue
            self.items[dossier_id] = dict(item)
            self.order.append(dossier_id)
            added.append(dossier_id)
        return added

    def update_item(self, item: dict[str, Any]) -> bool:
        """Rewrite one row in place (live update); False when it is not loaded."""
        dossier_id = str(item.get("id"))
        if dossier_id not in self.items:
            return False
        self.items[dossier_id] = dict(item)
        self._rewrite(dossier_id)
        return True

    def _rewrite(self, dossier_id: str) -> None:
        item = self.items[dossier_id]
        keys = ["mark", *(k for k, _h in COLUMNS if k not in self.hidden)]
        try:
            for key, value in zip(keys, self._cells(item), strict=True):
                self.update_cell(dossier_id, key, value)
        except (CellDoesNotExist, RowDoesNotExist):
            pass  # narrowed away: drawn when shown again

    # -- narrowing, columns, marks -----------------------------------------------------

    def narrow_to(self, text: str) -> None:
        """Show only the loaded rows matching ``text`` (at once, no request).

        Rows are only redrawn when the set shown changes: typing one more
        letter of a name that already matched costs nothing.
        """
        self.narrow = text
        wanted = [i for i in self.order if matches(self.items[i], text)]
        if wanted != self.shown_ids():
            self._redraw(keep=self.current_id(), ids=wanted)

    def shown_ids(self) -> list[str]:
        return [str(row.value) for row in self.rows]

    def set_hidden(self, hidden: set[str]) -> None:
        """Hide these columns (the others are shown); the cursor stays on its dossier."""
        self.hidden = {key for key in hidden if key in dict(COLUMNS)}
        keep, scroll = self.current_id(), self.scroll_y
        self.clear(columns=True)
        self._add_columns()
        self._redraw(keep=keep)
        self.scroll_to(y=scroll, animate=False)

    def toggle_mark(self) -> str | None:
        """Mark or unmark the row under the cursor; its id."""
        dossier_id = self.current_id()
        if dossier_id is None:
            return None
        self.marked.symmetric_difference_update({dossier_id})
        self._rewrite(dossier_id)
        return dossier_id

    def marked_items(self) -> list[dict[str, Any]]:
        """The marked items still loaded, in the queue's order."""
        return [self.items[i] for i in self.order if i in self.marked]

    def _redraw(self, keep: str | None, ids: list[str] | None = None) -> None:
        self.clear()
        if ids is None:
            ids = [i for i in self.order if matches(self.items[i], self.narrow)]
        for dossier_id in ids:
            self.add_row(*self._cells(self.items[dossier_id]), key=dossier_id)
        if keep is not None:
            try:
                self.move_cursor(row=self.get_row_index(keep), animate=False, scroll=True)
            except RowDoesNotExist:
                pass

    # -- the cursor --------------------------------------------------------------------

    def current_id(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None
        return str(key) if key is not None else None

    def current_item(self) -> dict[str, Any] | None:
        dossier_id = self.current_id()
        return self.items.get(dossier_id) if dossier_id else None
