"""The agent's queue: triage hundreds of dossiers from the keyboard.

Why it is built this way:

- Rows come by cursor as the agent scrolls (``GET /agent/queue``, 100 at a
  time; the next page is asked for when the cursor comes within
  :data:`NEAR_END` rows of the end), never the whole queue: first paint
  costs one page whatever the queue's size.
- Filter-as-you-type has two halves. Each keystroke narrows the rows
  already loaded, at once, with no request (reference, applicant,
  procedure); after :data:`FILTER_DEBOUNCE` of quiet, the server's ``q=``
  query replaces them with the full result. Every query carries a
  generation number: the answer of a query overtaken by a newer keystroke
  is dropped, so an old, slow answer never overwrites a newer one.
- Live updates follow the back office's event stream (``agent_events``) in
  the app's :class:`tui.live.EventFollower`, started when the screen opens
  and stopped when it closes. A changed dossier that is shown is re-read
  through the queue endpoint (``q=<id>``: the queue does not write the
  applicant's access log, opening the dossier does) and rewritten in place,
  so the cursor and the scroll stay where they are; a dossier that newly
  matches the filter only bumps a "N new" indicator — the list never jumps
  under the agent's cursor; ``R`` reloads.
- The preview opens the dossier (``agent_dossier``: logged in the
  applicant's access log, which is right for an agent reading it) only once
  the cursor rested :data:`PREVIEW_DELAY` on a row, and keeps what it read
  per (dossier, version): scrolling fast through 50 rows costs one read.
- Actions (claim, release, assign, complement, note, accept, refuse, bulk,
  export) belong to ``tui.agent_actions``; this screen binds their keys,
  hands them the highlighted or marked rows, and re-reads the rows they
  report changed (``DossiersChanged``).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Label

from monespace_cli.files import safe_target
from monespace_cli.i18n import _
from tui.agent_actions import DossiersChanged, run_action, run_export
from tui.agent_queue_model import QUICK, QueueQuery, counts_line, matches, sort_label
from tui.focus import focus_now
from tui.live import EventFollower
from tui.messages import AgentEvent, AgentLink
from tui.screens.base import PortalScreen
from tui.threads import on_ui
from tui.widgets.agent_preview import AgentPreview, Preview, load_preview
from tui.widgets.agent_queue_dialogs import BulkChoice, ColumnChooser
from tui.widgets.agent_queue_table import QueueTable
from tui.widgets.context_bar import ContextBar

if TYPE_CHECKING:
    from textual.worker import Worker

    from monespace_cli.client import PortalClient

ResultT = TypeVar("ResultT")

#: Rows per request (the portal's page).
PAGE_SIZE = 100
#: Ask for the next page when the cursor is this close to the last loaded row.
NEAR_END = 20
#: Quiet time after a keystroke before the server is asked (seconds).
FILTER_DEBOUNCE = 0.2
#: Time the cursor must rest on a row before its dossier is opened (seconds).
PREVIEW_DELAY = 0.3
#: Events closer together than this are handled in one batch (seconds).
LIVE_DEBOUNCE = 0.2

#: A live re-read: the shown rows afresh, the ids newly matching, the counts.
RowsRead = tuple[list[dict[str, Any]], list[str], dict[str, Any]]


def agent_stream(client: PortalClient, last_event_id: str | None) -> Iterable[Any]:
    """The back office's event stream (``GET /agent/events``) for the follower."""
    return client.agent_events(last_event_id=last_event_id, max_failures=1)


class AgentQueueScreen(PortalScreen[None]):
    """The back-office queue with its preview."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Back"), show=False),
        Binding("slash", "filter", _("Filter"), key_display="/", priority=True),
        # Enter in the filter box is handled the moment it is read: the keys typed
        # right after it act on the table, they are not typed into the filter.
        Binding("enter", "filter_done", show=False, priority=True),
        Binding("1", "quick('mine')", _("Mine")),
        Binding("2", "quick('unassigned')", _("Unassigned")),
        Binding("3", "quick('overdue')", _("Overdue")),
        Binding("4", "quick('awaiting')", _("Awaiting")),
        Binding("s", "sort", _("Sort")),
        Binding("c", "act('claim')", _("Claim")),
        Binding("space", "mark", _("Mark"), show=False),
        Binding("u", "act('release')", _("Release"), show=False),
        Binding("t", "act('assign')", _("Assign"), show=False),
        Binding("m", "act('complement')", _("Request complement"), show=False),
        Binding("n", "act('note')", _("Note"), show=False),
        Binding("A", "act('accept')", _("Accept"), show=False),
        Binding("X", "act('refuse')", _("Refuse"), show=False),
        Binding("B", "bulk", _("Bulk action on the marked"), show=False),
        Binding("e", "export", _("Export"), show=False),
        Binding("v", "columns", _("Columns"), show=False),
        Binding("f5", "reload", _("Reload (show new)"), show=False),
        Binding("o", "open_attachment", _("Open attachment"), show=False),
        Binding("w", "save_attachment", _("Save attachment"), show=False),
        Binding("tab", "app.focus_next", _("Next pane"), show=False),
    ]

    #: The preview goes below the table under 160 columns, beside it from there.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 - Textual reads it as is
        (0, "-narrow"),
        (160, "-wide"),  # side by side only when the table keeps its columns
    ]

    DEFAULT_CSS = """
    AgentQueueScreen #queue-status { height: 1; background: $boost; }
    AgentQueueScreen #queue-counts { width: 1fr; padding: 0 1; }
    AgentQueueScreen #queue-new { width: auto; padding: 0 1; color: $warning; text-style: bold; }
    AgentQueueScreen #queue-link { width: auto; padding: 0 1; }
    AgentQueueScreen #queue-query { height: 1; padding: 0 1; color: $text-muted; }
    AgentQueueScreen #queue-filter { height: 1; border: none; padding: 0 1; }
    AgentQueueScreen #queue-body { height: 1fr; }
    AgentQueueScreen.-wide #queue-body { layout: horizontal; }
    AgentQueueScreen.-wide #queue-table { width: 1fr; }
    AgentQueueScreen.-wide #queue-preview { width: 45%; border-left: solid $panel-lighten-2; }
    AgentQueueScreen.-narrow #queue-body { layout: vertical; }
    AgentQueueScreen.-narrow #queue-table { height: 1fr; }
    AgentQueueScreen.-narrow #queue-preview { height: 45%; border-top: solid $panel-lighten-2; }
    """

    def __init__(self, *, live: bool | None = None) -> None:
        super().__init__()
        self.query_state = QueueQuery()
        #: The query the loaded pages answer (next pages continue it, whatever is typed).
        self.loaded_query = QueueQuery()
        #: Bumped by every new query: answers of older ones are dropped.
        self.generation = 0
        self.next_cursor: str | None = None
        self.exhausted = False
        #: A page request is in flight (not ``loading``: that shows Textual's spinner).
        self.fetching = False
        self.counts: dict[str, Any] | None = None
        #: The query whose rows the table shows (None before the first page arrived).
        self.shown_query: QueueQuery | None = None
        #: Dossiers that newly match the filter since the last load (live).
        self.new_ids: set[str] = set()
        self._previews: dict[tuple[str, int], Preview] = {}
        self._preview_timer: Timer | None = None
        self._filter_timer: Timer | None = None
        self._live_timer: Timer | None = None
        self._pending_ids: set[str] = set()
        self._follower: EventFollower | None = None
        self._live = live
        self.online: bool | None = None
        self._reader: PortalClient | None = None
        self._reader_lock = threading.Lock()

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Ask for the first page now: the request runs while the screen is styled.
        self.reload()
        yield ContextBar(_("Back office"))
        with Horizontal(id="queue-status"):
            yield Label("", id="queue-counts", markup=False)
            yield Label("", id="queue-new", markup=False)
            yield Label("", id="queue-link", markup=False)
        yield Label("", id="queue-query", markup=False)
        yield Input(
            placeholder=_("/ filter: reference, applicant, procedure"),
            id="queue-filter",
            compact=True,
        )
        with Horizontal(id="queue-body"):
            yield QueueTable(id="queue-table")
            yield AgentPreview(id="queue-preview")
        yield Footer()

    @property
    def table(self) -> QueueTable:
        return self.query_one("#queue-table", QueueTable)

    @property
    def preview(self) -> AgentPreview:
        return self.query_one("#queue-preview", AgentPreview)

    def on_mount(self) -> None:
        self.table.focus()
        self._show_query()
        self.watch(self.table, "scroll_y", self._scrolled, init=False)
        if self._live_wanted():
            self._start_live()

    def on_unmount(self) -> None:
        self._stop_live()
        with self._reader_lock:
            reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def read(
        self,
        job: Callable[[PortalClient], ResultT],
        then: Callable[[ResultT], object],
        failed: Callable[[BaseException], object] | None = None,
        *,
        group: str,
        exclusive: bool = False,
    ) -> Worker[None]:
        """``job(client)`` off the UI thread with the queue's one client, kept open.

        Why shared: building a client costs tens of milliseconds (TLS context,
        connection pool), and the queue reads on every page and keystroke; the
        client's pool is thread-safe, so the workers share it.
        """
        host = self.host

        def with_reader() -> ResultT:
            # Built in the worker, not here: the first page's request is made from
            # compose, and the client's set-up must not delay the first paint.
            with self._reader_lock:
                if self._reader is None:
                    self._reader = host.portal()
                client = self._reader
            return job(client)

        return self.run_in_thread(with_reader, then, failed, group=group, exclusive=exclusive)

    # -- loading pages -----------------------------------------------------------------

    def reload(self) -> None:
        """Start the queue over from its first page (new filters, sort, or ``R``)."""
        self.generation += 1
        self.loaded_query = self.query_state
        self.next_cursor = None
        self.exhausted = False
        self.new_ids.clear()
        self._show_new()
        self._fetch_page(first=True)

    def _fetch_page(self, *, first: bool) -> None:
        generation, cursor, query = self.generation, self.next_cursor, self.loaded_query
        filters = query.filters()
        self.fetching = True

        def page(client: PortalClient) -> tuple[list[dict[str, Any]], str | None]:
            answer = client.agent_queue(limit=PAGE_SIZE, cursor=cursor, sort=query.sort, **filters)
            return [dict(item) for item in answer.items], answer.next_cursor

        def failed(error: BaseException) -> None:
            self.host.report_error(error)
            self._page_failed(generation, first)

        self.read(
            page,
            lambda answer: self._page_loaded(generation, first, *answer),
            failed,
            group="queue-page",
            exclusive=first,
        )

    def _page_loaded(
        self, generation: int, first: bool, items: list[dict[str, Any]], cursor: str | None
    ) -> None:
        if generation != self.generation:
            return  # an older query's answer: a newer one is on its way
        if not self.is_mounted:  # the answer beat the screen's own set-up
            self.set_timer(0.01, lambda: self._page_loaded(generation, first, items, cursor))
            return
        self.fetching = False
        self.next_cursor = cursor
        self.exhausted = cursor is None
        table = self.table
        if first:
            self.shown_query = self.loaded_query
            self._fetch_counts()  # after the rows: the first paint does not wait for it
            keep = table.current_id()
            table.replace_items(items)
            if keep is not None and keep in table.items:
                table.move_cursor(row=table.get_row_index(keep), animate=False)
            self._highlighted()
        else:
            added = table.append_items(items)
            self.new_ids.difference_update(added)
            self._show_new()
        self._maybe_more()

    def _page_failed(self, generation: int, first: bool) -> None:
        if generation != self.generation:
            return
        self.fetching = False
        if first and self.shown_query != self.query_state:
            # The rows (and their counts) are still the previous filter's: say so, and
            # never pair them with the new filter's counts (see on_agent_link).
            self.query_one("#queue-new", Label).update(
                _("The portal did not answer: these rows are the previous filter's (f5 retries).")
            )

    def _maybe_more(self) -> None:
        """Ask for the next page when the cursor nears the end of what is loaded."""
        table = self.table
        if self._may_fetch_more() and table.row_count - table.cursor_row <= NEAR_END:
            self._fetch_page(first=False)

    def _may_fetch_more(self) -> bool:
        """Not fetching already, more to fetch, and no new query about to replace the rows."""
        if self.fetching or self.exhausted or self.next_cursor is None:
            return False
        return self._filter_timer is None

    def _scrolled(self, old: float, new: float) -> None:
        """The wheel or the scrollbar moved the view down without the cursor: page as for it."""
        table = self.table
        if new <= old or not table.row_count:
            return
        last_shown = int(new) + table.size.height - table.header_height - 1
        near_end = table.row_count - last_shown <= NEAR_END
        if last_shown > table.cursor_row and near_end and self._may_fetch_more():
            self._fetch_page(first=False)

    def _fetch_counts(self) -> None:
        generation, filters = self.generation, self.query_state.filters()
        self.read(
            lambda client: dict(client.agent_counts(**filters)),
            lambda counts: self._counts_loaded(generation, counts),
            group="queue-counts",
            exclusive=True,
        )

    def _counts_loaded(self, generation: int, counts: dict[str, Any]) -> None:
        if generation != self.generation:
            return
        self.counts = counts
        self.query_one("#queue-counts", Label).update(counts_line(counts))

    # -- the header --------------------------------------------------------------------

    def _show_query(self) -> None:
        query = self.query_state
        labels = [_(label) for key, label in QUICK if key in query.active_quick()]
        parts = [_("Sort: {order}").format(order=sort_label(query.sort))]
        if labels:
            parts.append(_("Only: {filters}").format(filters=", ".join(labels)))
        if self.table.marked:
            parts.append(_("{n} marked").format(n=len(self.table.marked)))
        self.query_one("#queue-query", Label).update(" · ".join(parts))

    def _show_new(self) -> None:
        if not self.is_mounted:
            return
        text = _("{n} new — f5 to show").format(n=len(self.new_ids)) if self.new_ids else ""
        self.query_one("#queue-new", Label).update(text)

    # -- filter-as-you-type ------------------------------------------------------------

    def action_filter(self) -> None:
        focus_now(self.query_one("#queue-filter", Input))

    @on(Input.Changed, "#queue-filter")
    def _typed(self, event: Input.Changed) -> None:
        self.table.narrow_to(event.value)
        self.query_state = replace(self.query_state, text=event.value)
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DEBOUNCE, self._server_filter)

    def _server_filter(self) -> None:
        self._filter_timer = None
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "filter_done":
            return self.focused is self.query_one("#queue-filter", Input)
        return True

    def action_filter_done(self) -> None:
        focus_now(self.table)

    # -- quick filters, sort, columns, marks -------------------------------------------

    def action_quick(self, quick: str) -> None:
        self.query_state = self.query_state.toggled(quick)
        self._show_query()
        self.reload()

    def action_sort(self) -> None:
        self.query_state = self.query_state.next_sort()
        self._show_query()
        self.reload()

    @on(DataTable.HeaderSelected, "#queue-table")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        """A click on *Submitted* or *Due* sorts by it (again: the other way round)."""
        orders = {"submitted": ("age", "-age"), "due": ("due", "-due")}
        order = orders.get(str(event.column_key.value))
        if order is None:
            return
        sort = order[1] if self.query_state.sort == order[0] else order[0]
        self.query_state = replace(self.query_state, sort=sort)
        self._show_query()
        self.reload()

    def action_columns(self) -> None:
        def chosen(hidden: set[str] | None) -> None:
            if hidden is not None:
                self.table.set_hidden(hidden)

        self.app.push_screen(ColumnChooser(self.table.hidden), chosen)

    def action_mark(self) -> None:
        """Mark or unmark the highlighted row; the cursor stays (Down moves it, as always)."""
        if self.table.toggle_mark() is not None:
            self._show_query()

    def forget_marks(self, ids: list[str]) -> None:
        """A bulk run changed these dossiers: their marks have done their job."""
        self.table.marked.difference_update(ids)
        self._show_query()

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        field = self.query_one("#queue-filter", Input)
        if self.focused is field:
            field.value = ""
            self.table.focus()
            return
        self.app.pop_screen()

    # -- the cursor: paging and preview ------------------------------------------------

    @on(DataTable.RowHighlighted, "#queue-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._maybe_more()
        self._highlighted()

    def _highlighted(self) -> None:
        """Show the highlighted dossier: from the cache now, else after a pause."""
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None
        item = self.table.current_item()
        if item is None:
            self.preview.show_empty(filtered=not self.table.row_count)
            return
        cached = self._previews.get(_preview_key(item))
        if cached is not None:
            self.preview.show(cached)
            return
        self.preview.show_loading(str(item["id"]))
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._load_preview)

    def _load_preview(self) -> None:
        self._preview_timer = None
        item = self.table.current_item()
        if item is None:
            return
        dossier_id, key = str(item["id"]), _preview_key(item)
        self.read(
            lambda client: load_preview(client, dossier_id),
            lambda preview: self._preview_loaded(key, preview),
            group="preview",
            exclusive=True,
        )

    def _preview_loaded(self, key: tuple[str, int], preview: Preview) -> None:
        self._previews[key] = preview
        self._previews[preview.key] = preview
        current = self.table.current_item()
        if current is not None and str(current["id"]) == key[0]:
            self.preview.show(preview)

    def _forget_previews(self, ids: set[str]) -> None:
        for key in [k for k in self._previews if k[0] in ids]:
            del self._previews[key]

    # -- attachments -------------------------------------------------------------------

    def action_open_attachment(self) -> None:
        self._save_attachment(open_after=True)

    def action_save_attachment(self) -> None:
        self._save_attachment(open_after=False)

    def _save_attachment(self, *, open_after: bool) -> None:
        """Download the previewed attachment into the files folder (then open it, if asked)."""
        attachment = self.preview.current_attachment()
        if attachment is None:
            self.notify(_("This dossier has no attachment."), severity="warning")
            return
        folder = self.files_dir

        def save(client: PortalClient) -> str:
            target = safe_target(folder, str(attachment.get("filename") or "attachment"))
            with target.open("xb") as out:
                client.agent_download_attachment(str(attachment["id"]), out)
            opened = open_after and _open_with_system(target)
            return (_("Opened {path}.") if opened else _("Saved to {path}.")).format(path=target)

        self.run_portal(save, self._tell, group="attachment")

    def _tell(self, message: str) -> None:
        self.notify(message, markup=False)

    # -- actions (tui.agent_actions) ---------------------------------------------------

    def action_act(self, action: str) -> None:
        item = self.table.current_item()
        if item is None:
            self.notify(_("No dossier highlighted."), severity="warning")
            return
        self._run_action(action, [item])

    def action_bulk(self) -> None:
        items = self.table.marked_items()
        if not items:
            current = self.table.current_item()
            items = [current] if current is not None else []
        if not items:
            self.notify(_("No dossier highlighted."), severity="warning")
            return

        def chosen(action: str | None) -> None:
            if action is not None:
                self._run_action(action, items)

        self.app.push_screen(BulkChoice(len(items)), chosen)

    def _run_action(self, action: str, items: list[dict[str, Any]]) -> None:
        run_action(self, action, [dict(item) for item in items])

    def action_export(self) -> None:
        run_export(self, dict(self.query_state.filters(), sort=self.query_state.sort))

    def on_dossiers_changed(self, message: DossiersChanged) -> None:
        """An action changed dossiers: re-read those rows and the counts, keep the cursor."""
        ids = {str(i) for i in message.ids}
        self._forget_previews(ids)
        self._refresh_rows(ids)

    # -- live updates ------------------------------------------------------------------

    def _live_wanted(self) -> bool:
        return self._live if self._live is not None else self.host.settings.live

    def _start_live(self) -> None:
        app, host = self.app, self.host
        self._follower = EventFollower(
            host.portal,
            lambda event: on_ui(app, self.post_message, AgentEvent(event)),
            lambda online: on_ui(app, self.post_message, AgentLink(online)),
            max_delay=host.settings.reconnect_max,
            stream=agent_stream,
        )
        self._follower.start()

    def _stop_live(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None

    def on_agent_link(self, message: AgentLink) -> None:
        self.online = message.online
        label = self.query_one("#queue-link", Label)
        # Not the header's "● live" (the person's own stream): the queue's own.
        label.update("● " + _("queue: live") if message.online else "○ " + _("queue: disconnected"))
        if message.online:
            if self.shown_query is not None and self.shown_query != self.query_state:
                self.reload()  # a filter changed while the portal was away: rows and counts
            else:
                self._fetch_counts()

    def on_agent_event(self, message: AgentEvent) -> None:
        dossier_id = str(message.event.get("dossier_id") or "")
        if not dossier_id:
            return
        self._pending_ids.add(dossier_id)
        if self._live_timer is not None:
            self._live_timer.stop()
        self._live_timer = self.set_timer(LIVE_DEBOUNCE, self._live_batch)

    def _live_batch(self) -> None:
        self._live_timer = None
        ids, self._pending_ids = set(self._pending_ids), set()
        self._forget_previews(ids)
        self._refresh_rows(ids)

    def _refresh_rows(self, ids: set[str]) -> None:
        """Re-read these dossiers through the queue; rewrite the shown ones in place.

        A dossier not loaded that matches the current filter is counted as
        new (the list does not move; ``R`` shows it).
        """
        if not ids:
            return
        generation, query = self.generation, self.query_state
        loaded = set(self.table.items)
        filters = {k: v for k, v in query.filters().items() if k != "q"}

        def reread(client: PortalClient) -> RowsRead:
            fresh: list[dict[str, Any]] = []
            new: list[str] = []
            for dossier_id in sorted(ids):
                if dossier_id in loaded:
                    page = client.agent_queue(q=dossier_id, status="all", limit=5)
                    fresh += [dict(i) for i in page.items if str(i["id"]) == dossier_id]
                else:
                    page = client.agent_queue(q=dossier_id, limit=5, **filters)
                    new += [
                        str(i["id"])
                        for i in page.items
                        if str(i["id"]) == dossier_id and matches(dict(i), query.text)
                    ]
            return fresh, new, dict(client.agent_counts(**query.filters()))

        self.read(reread, lambda rows: self._rows_refreshed(generation, *rows), group="queue-live")

    def _rows_refreshed(
        self,
        generation: int,
        fresh: list[dict[str, Any]],
        new: list[str],
        counts: dict[str, Any],
    ) -> None:
        if generation != self.generation:
            return
        table = self.table
        current = table.current_id()
        for item in fresh:
            table.update_item(item)
        self.new_ids.update(i for i in new if i not in table.items)
        self._show_new()
        self._counts_loaded(generation, counts)
        if current is not None and current in {str(i["id"]) for i in fresh}:
            self._highlighted()


def _preview_key(item: dict[str, Any]) -> tuple[str, int]:
    return str(item.get("id")), int(item.get("version") or 0)


def _open_with_system(path: Path) -> bool:
    """Hand a saved file to the desktop's viewer (xdg-open) when there is one."""
    opener = shutil.which("xdg-open")
    if opener is None:
        return False
    try:
        subprocess.Popen(
            [opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return False
    return True
