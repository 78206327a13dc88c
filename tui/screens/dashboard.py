"""The dashboard: my dossiers, and what awaits me, in one context or all of them.

"Awaiting me" gathers what needs the person's action: complement requests
(dossiers in ``awaiting_complement``, with the agent's request and its due
date), unpaid payments and unread notifications. The screen reloads itself
when the event stream reports a change (debounced: a burst of events costs
one reload), when the link to the portal comes back, and when the acting
context changes — all in a thread worker, so the screen never freezes and
a portal that is away gives a notification, never a crash.

``a`` switches between the acting context and *all my contexts* (myself,
my organisations, clients through mandates): each context is read in turn
(a few at once), the lists are merged newest first with a *For* column,
and opening a dossier of another context switches to that context first —
the portal only shows a dossier to the context it belongs to.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Label

from monespace_cli.forms import display_amount
from monespace_cli.i18n import _
from tui import format as fmt
from tui.messages import ConnectionChanged, ContextChanged, PortalEvent
from tui.screens.base import PortalScreen
from tui.widgets.context_bar import ContextBar

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient
    from tui.host import PortalHost

#: How many dossiers the dashboard shows (newest first); the CLI lists them all.
DOSSIER_LIMIT = 100
#: Events arriving closer together than this cause one reload.
RELOAD_DEBOUNCE = 0.3
#: Contexts read at once for "all my contexts" (an accountant may have hundreds).
CONTEXT_READERS = 6


@dataclass(frozen=True)
class Awaiting:
    """One line of "awaiting me": what, about which dossier, until when."""

    kind: str  # "complement", "payment", "notification"
    dossier_id: str
    text: str
    due: str = ""
    ref: str = ""  # the notification or payment id
    context: str = ""  # the acting context it belongs to ("" = the current one)


@dataclass
class DashboardData:
    dossiers: list[dict[str, Any]]
    awaiting: list[Awaiting]


def load_dashboard(
    client: PortalClient, *, notifications: bool = True, context: str = ""
) -> DashboardData:
    """Everything the dashboard shows, for the client's acting context (blocking)."""
    dossiers = [dict(d) for d in client.list_dossiers(limit=DOSSIER_LIMIT).items]
    awaiting: list[Awaiting] = []
    for dossier in dossiers:
        dossier["context"] = context
        if dossier.get("status") == "awaiting_complement":
            awaiting.append(_complement(client, dossier, context))
    for payment in client.list_payments(limit=DOSSIER_LIMIT).items:
        if payment.get("status") == "pending":
            text = _("Pay {amount} {currency} — {ref}").format(
                amount=display_amount(payment.get("amount")),
                currency=payment.get("currency", "EUR"),
                ref=payment.get("structured_ref", ""),
            )
            dossier_id = str(payment.get("dossier_id"))
            awaiting.append(
                Awaiting("payment", dossier_id, text, ref=str(payment["id"]), context=context)
            )
    if notifications:
        for note in client.list_notifications(unread=True, limit=DOSSIER_LIMIT).items:
            awaiting.append(
                Awaiting(
                    "notification",
                    str(note.get("dossier_id") or ""),
                    str(note.get("title", "")),
                    due=fmt.when(note.get("at")),
                    ref=str(note.get("id")),
                )
            )
    return DashboardData(dossiers, awaiting)


def load_all_contexts(host: PortalHost, contexts: list[dict[str, Any]]) -> DashboardData:
    """The dashboards of every context merged, newest change first (blocking).

    Notifications are the person's, not a context's: read once.
    """
    ids = [str(c.get("id")) for c in contexts] or ["me"]

    def one(context: str) -> DashboardData:
        with host.portal(context) as client:
            return load_dashboard(client, notifications=context == ids[0], context=context)

    with ThreadPoolExecutor(CONTEXT_READERS) as pool:
        parts = list(pool.map(one, ids))
    dossiers = sorted(
        (d for part in parts for d in part.dossiers),
        key=lambda d: str(d.get("updated_at") or ""),
        reverse=True,
    )[:DOSSIER_LIMIT]
    return DashboardData(dossiers, [a for part in parts for a in part.awaiting])


def _complement(client: PortalClient, dossier: dict[str, Any], context: str = "") -> Awaiting:
    """The agent's latest complement request on ``dossier`` (its text and due date)."""
    text = _("Complement requested")
    due = dossier.get("due_at")
    for message in reversed(client.list_messages(str(dossier["id"]))):
        if message.get("complement_request"):
            text = " ".join(str(message.get("body", "")).split())[:80] or text
            due = message.get("due_at") or due
            break
    return Awaiting("complement", str(dossier["id"]), text, due=fmt.day(due), context=context)


KIND_LABELS = {
    "complement": _("Complement"),
    "payment": _("Payment"),
    "notification": _("Unread"),
}


class DashboardScreen(PortalScreen[None]):
    """Home after login."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", _("Open"), show=True),
        Binding("c", "catalogue", _("Catalogue")),
        Binding("n", "new_dossier", _("New dossier")),
        Binding("f5", "reload", _("Reload")),
        Binding("a", "all_contexts", _("All my contexts")),
        Binding("tab", "app.focus_next", _("Next pane"), show=False),
        Binding("g", "roles", _("Roles (GAP)"), show=False),
        Binding("b", "back_office", _("Back office")),
        Binding("ctrl+l", "app.logout", _("Log out"), show=False),
    ]

    DEFAULT_CSS = """
    DashboardScreen .pane-title { text-style: bold; padding: 0 1; background: $boost; width: 1fr; }
    DashboardScreen #dossiers { height: 1fr; }
    DashboardScreen #awaiting-pane { height: 9; }
    DashboardScreen #awaiting { height: 1fr; }
    DashboardScreen #dash-empty { color: $text-muted; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.data: DashboardData | None = None
        self._reload_timer: Timer | None = None
        #: Every context of the person (``a``), or only the acting one.
        self.all_contexts = False

    def compose(self) -> ComposeResult:
        yield ContextBar(_("Dashboard"))
        yield Label(_("My dossiers"), classes="pane-title", id="dossiers-title")
        dossiers: DataTable[str] = DataTable(cursor_type="row", id="dossiers", zebra_stripes=True)
        dossiers.add_column(_("Dossier"), key="id")
        dossiers.add_column(_("Procedure"), key="title")
        dossiers.add_column(_("Status"), key="status")
        dossiers.add_column(_("Updated"), key="updated")
        yield dossiers
        with Vertical(id="awaiting-pane"):
            yield Label(_("Awaiting me"), classes="pane-title", id="awaiting-title")
            awaiting: DataTable[str] = DataTable(cursor_type="row", id="awaiting")
            awaiting.add_column(_("What"), key="kind")
            awaiting.add_column(_("Dossier"), key="dossier")
            awaiting.add_column(_("Details"), key="text")
            awaiting.add_column(_("Due / at"), key="due")
            yield awaiting
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#dossiers", DataTable).focus()
        self.reload()

    # -- loading -------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the dashboard in a worker (the newest call wins)."""
        host = self.host
        if self.all_contexts:
            every = partial(load_all_contexts, host, host.contexts())
            self.run_in_thread(every, self._show, group="dashboard", exclusive=True)
        else:
            self.run_portal(load_dashboard, self._show, group="dashboard", exclusive=True)

    def _show(self, data: DashboardData) -> None:
        self.data = data
        table = self.query_one("#dossiers", DataTable)
        self._columns(table)
        rows = [self._cells(dossier) for dossier in data.dossiers]
        title_at = 2 if self.all_contexts else 1
        room = self._title_room(table, rows, title_at)
        for dossier, cells in zip(data.dossiers, rows, strict=True):
            cells[title_at] = fmt.fit(cells[title_at], room)
            table.add_row(*cells, key=str(dossier.get("id")))
        count = len(data.dossiers)
        title = (
            _("My dossiers ({count})")
            if not self.all_contexts
            else _("My dossiers in all my contexts ({count})")
        )
        self.query_one("#dossiers-title", Label).update(title.format(count=count))
        awaiting = self.query_one("#awaiting", DataTable)
        awaiting.clear()
        for index, item in enumerate(data.awaiting):
            awaiting.add_row(
                KIND_LABELS.get(item.kind, item.kind),
                fmt.ref(item.dossier_id),
                item.text,
                item.due,
                key=f"{index}",
            )
        self.query_one("#awaiting-title", Label).update(
            _("Awaiting me ({count})").format(count=len(data.awaiting))
        )

    def _cells(self, dossier: dict[str, Any]) -> list[str]:
        cells = [
            fmt.ref(dossier.get("id")),
            str(dossier.get("title") or dossier.get("procedure")),
            fmt.status_label(dossier.get("status")),
            fmt.when(dossier.get("updated_at")),
        ]
        if self.all_contexts:
            cells.insert(1, self._context_name(str(dossier.get("context") or "")))
        return cells

    def _title_room(self, table: DataTable[str], rows: list[list[str]], title_at: int) -> int:
        """The cells left for the procedure's title once the other columns are whole.

        A long title ("Aide individuelle à l'intégration – aménagement du
        logement") would otherwise push the status off an 80-column terminal:
        the title is the column that can be cut, the status never.
        """
        headers = [str(column.label) for column in table.ordered_columns]
        others = sum(
            max(cell_len(text) for text in [headers[i], *(row[i] for row in rows)])
            for i in range(len(headers))
            if i != title_at
        )
        padding = 2 * table.cell_padding * len(headers)
        scrollbar = 2
        width = self.size.width or self.app.size.width
        return max(width - others - padding - scrollbar, 12)

    def on_resize(self) -> None:
        if self.data is not None:
            self._show(self.data)

    def _columns(self, table: DataTable[str]) -> None:
        """Empty the table; the *For* column only when all contexts are shown."""
        has_for = "context" in {str(c.value) for c in table.columns}
        if has_for == self.all_contexts:
            table.clear()
            return
        table.clear(columns=True)
        table.add_column(_("Dossier"), key="id")
        if self.all_contexts:
            table.add_column(_("For"), key="context")
        table.add_column(_("Procedure"), key="title")
        table.add_column(_("Status"), key="status")
        table.add_column(_("Updated"), key="updated")

    def _context_name(self, context: str) -> str:
        for candidate in self.host.contexts():
            if str(candidate.get("id")) == context:
                return str(candidate.get("name") or context)
        return context

    def _schedule_reload(self) -> None:
        if self._reload_timer is not None:
            self._reload_timer.stop()
        self._reload_timer = self.set_timer(RELOAD_DEBOUNCE, self.reload)

    def on_portal_event(self, message: PortalEvent) -> None:
        self._schedule_reload()

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        if message.online:
            self._schedule_reload()

    def on_context_changed(self, message: ContextChanged) -> None:
        self.query_one("#dossiers", DataTable).clear()
        self.query_one("#awaiting", DataTable).clear()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self._schedule_reload()

    # -- actions -----------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload()

    def action_all_contexts(self) -> None:
        """Toggle between the acting context and all my contexts."""
        self.all_contexts = not self.all_contexts
        self.reload()

    def action_open(self) -> None:
        """Open the dossier under the cursor of the focused table."""
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id == "awaiting":
            self._open_awaiting(focused)
            return
        table = self.query_one("#dossiers", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key:
            self.open_dossier(str(key), self._context_of(str(key)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "awaiting":
            self._open_awaiting(event.data_table)
        elif event.row_key.value:
            key = str(event.row_key.value)
            self.open_dossier(key, self._context_of(key))

    def _open_awaiting(self, table: DataTable[str]) -> None:
        if self.data is None or not table.row_count:
            return
        item = self.data.awaiting[table.cursor_row]
        if item.kind == "notification":
            self._mark_read(item.ref)
        if item.dossier_id:
            self.open_dossier(item.dossier_id, item.context)

    def _mark_read(self, notification_id: str) -> None:
        self.run_portal(
            lambda client: client.mark_notification_read(notification_id), group="mark-read"
        )

    def _context_of(self, dossier_id: str) -> str:
        for dossier in self.data.dossiers if self.data else []:
            if str(dossier.get("id")) == dossier_id:
                return str(dossier.get("context") or "")
        return ""

    def open_dossier(self, dossier_id: str, context: str = "") -> None:
        """Open a dossier; one of another context switches to that context first."""
        self.host.navigate.dossier(dossier_id, context=context)

    def action_catalogue(self) -> None:
        self.host.navigate.catalogue()

    def action_new_dossier(self) -> None:
        self.action_catalogue()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ "Back office" only for agents (``GET /agent/services`` answered)."""
        if action == "back_office":
            return self.host.is_agent
        return True

    def action_back_office(self) -> None:
        self.host.navigate.back_office()

    def action_roles(self) -> None:
        self.host.navigate.roles()
