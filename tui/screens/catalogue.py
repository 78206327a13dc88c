"""The procedure catalogue: search as you type, filter by audience, read, start.

The catalogue is small (tens of procedures) and public, so it is fetched
once in a worker and filtered locally as the person types (debounced, so
typing fast costs one redraw); the detail pane shows what a procedure is,
its fee, its legal processing time and the attachments it needs. "Start"
creates the dossier in the acting context (``POST /dossiers``, prefilled by
the portal) and opens the form.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Select, Static

from monespace_cli.i18n import _
from tui import format as fmt
from tui.focus import focus_now
from tui.screens.base import PortalScreen
from tui.widgets.context_bar import ContextBar

#: Wait this long after the last key before filtering.
SEARCH_DEBOUNCE = 0.15
AUDIENCES = ("citizen", "enterprise", "non_profit")


def matches(procedure: dict[str, Any], query: str, audience: str | None) -> bool:
    """Whether ``procedure`` fits the search words (all of them) and the audience."""
    if audience and audience not in (procedure.get("audience") or []):
        return False
    haystack = fmt.fold(
        " ".join(
            [
                str(procedure.get("code", "")),
                *(str(v) for v in (procedure.get("title") or {}).values()),
                *(str(v) for v in (procedure.get("summary") or {}).values()),
            ]
        )
    )
    return all(word in haystack for word in fmt.fold(query).split())


def describe_procedure(procedure: dict[str, Any]) -> str:
    """The detail pane's text (Rich markup escaped by the caller's Static)."""
    lines = [
        fmt.text(procedure.get("title")),
        f"{procedure.get('code')} · v{procedure.get('version')}",
        "",
        fmt.text(procedure.get("summary")),
        "",
        _("For: {audience}").format(
            audience=", ".join(fmt.audience_label(a) for a in procedure.get("audience") or [])
        ),
        _("Fee: {fee}").format(fee=fmt.fee(procedure.get("fee"))),
        _("Legal processing time: {time}").format(time=fmt.legal_time(procedure.get("legal_days"))),
        _("Handled by: {service}").format(
            service=fmt.text((procedure.get("service") or {}).get("name"))
        ),
    ]
    kinds = procedure.get("attachment_kinds") or []
    if kinds:
        lines += ["", _("Attachments:")]
        for kind in kinds:
            need = _("required") if kind.get("required") else _("optional")
            lines.append(f"  • {fmt.text(kind.get('title'))} ({need})")
    else:
        lines += ["", _("No attachment needed.")]
    return "\n".join(lines)


class CatalogueScreen(PortalScreen[None]):
    """Find a procedure and start a dossier."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Back")),
        # Priority: "/" focuses the search box from anywhere, and is never typed into it.
        Binding("slash", "search", _("Search"), key_display="/", priority=True),
        Binding("down", "to_table", show=False),
        # Enter in the search box is handled the moment it is read, so that keys typed
        # right after it ("s" to start) reach the list, not the search box.
        Binding("enter", "search_done", show=False, priority=True),
        Binding("s", "start", _("Start a dossier")),
        Binding("a", "audience", _("Audience")),
        Binding("ctrl+s", "start", _("Start a dossier"), show=False),
    ]

    DEFAULT_CSS = """
    CatalogueScreen #catalogue-filters { height: 1; }
    CatalogueScreen #search { width: 1fr; border: none; height: 1; padding: 0 1; }
    CatalogueScreen #audience { width: 24; }
    CatalogueScreen #procedures { width: 1fr; height: 1fr; }
    CatalogueScreen #detail-pane {
        width: 1fr; height: 1fr; border-left: vkey $accent; padding: 0 1;
    }
    """

    AUTO_FOCUS = "#procedures"

    def __init__(self) -> None:
        super().__init__()
        self.procedures: list[dict[str, Any]] = []
        self.shown: list[dict[str, Any]] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield ContextBar(_("Catalogue"))
        with Horizontal(id="catalogue-filters"):
            yield Input(placeholder=_("Search procedures… (/)"), id="search")
            options = [(fmt.audience_label(a), a) for a in AUDIENCES]
            yield Select(options, prompt=_("Everyone"), compact=True, id="audience")
        with Horizontal():
            table: DataTable[str] = DataTable(cursor_type="row", id="procedures")
            table.add_column(_("Code"), key="code")
            table.add_column(_("Procedure"), key="title")
            yield table
            with VerticalScroll(id="detail-pane"):
                yield Static(_("Loading the catalogue…"), id="detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        # The list, not the search box: letters are the screen's keys until "/" is pressed.
        self.query_one("#procedures", DataTable).focus()
        self._load()

    def _load(self) -> None:
        self.run_portal(
            lambda client: [dict(p) for p in client.iter_procedures()],
            self._loaded,
            self._load_failed,
            group="catalogue",
            exclusive=True,
        )

    def _load_failed(self, error: BaseException) -> None:
        self.host.report_error(error)
        self._set_detail(_("The catalogue could not be loaded."))

    def _loaded(self, procedures: list[dict[str, Any]]) -> None:
        self.procedures = sorted(procedures, key=lambda p: str(p.get("code")))
        self._size_columns()
        self.apply_filter()

    def _size_columns(self) -> None:
        """Give the columns fixed widths from the whole catalogue.

        Left to the table's own measuring, the widths were taken from the rows
        at the moment of a layout; on a busy machine that moment came before
        the rows, and the codes stayed cut to four characters in a real terminal.
        """
        table = self.query_one("#procedures", DataTable)
        codes = [len(str(p.get("code"))) for p in self.procedures]
        titles = [len(fmt.text(p.get("title"))) for p in self.procedures]
        table.clear(columns=True)
        table.add_column(_("Code"), key="code", width=max([len(_("Code")), *codes]))
        table.add_column(_("Procedure"), key="title", width=min(max([10, *titles]), 100))

    def _set_detail(self, text: str) -> None:
        self.query_one("#detail", Static).update(text)

    # -- filtering -------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "search":
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DEBOUNCE, self.apply_filter)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search_done":
            return self.focused is self.query_one("#search", Input)
        return True

    def action_search_done(self) -> None:
        """Filter now (no debounce) and go to the list."""
        self.apply_filter()
        focus_now(self.query_one("#procedures", DataTable))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "audience":
            event.stop()
            self.apply_filter()

    def apply_filter(self) -> None:
        """Show the procedures matching the search box and the audience."""
        query = self.query_one("#search", Input).value
        value = self.query_one("#audience", Select).value
        audience = None if value is Select.NULL else str(value)
        self.shown = [p for p in self.procedures if matches(p, query, audience)]
        table = self.query_one("#procedures", DataTable)
        table.clear()
        for procedure in self.shown:
            code = str(procedure.get("code"))
            table.add_row(code, fmt.text(procedure.get("title")), key=code)
        # Measure the new rows now: left to the next idle moment, a catalogue opened a
        # second time kept its columns cut to a few characters until a key was pressed.
        table.refresh(layout=True)
        if self.shown:
            self._set_detail(describe_procedure(self.shown[0]))
        elif self.procedures:
            self._set_detail(_("No procedure matches “{query}”.").format(query=query))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        procedure = self.current()
        if procedure is not None:
            self._set_detail(describe_procedure(procedure))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_start()

    def current(self) -> dict[str, Any] | None:
        """The procedure under the cursor."""
        table = self.query_one("#procedures", DataTable)
        if not table.row_count or not self.shown:
            return None
        row = min(table.cursor_row, len(self.shown) - 1)
        return self.shown[row]

    # -- actions --------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_search(self) -> None:
        focus_now(self.query_one("#search", Input))

    def action_to_table(self) -> None:
        """Down from the search box goes to the list (the table handles its own Down)."""
        focus_now(self.query_one("#procedures", DataTable))

    def action_audience(self) -> None:
        select = self.query_one("#audience", Select)
        select.focus()
        select.action_show_overlay()

    def action_start(self) -> None:
        """Create a dossier for the procedure under the cursor, then open its form."""
        procedure = self.current()
        if procedure is None:
            return
        code = str(procedure.get("code"))
        self.notify(_("Creating a {code} dossier…").format(code=code))
        self.run_portal(lambda client: str(client.create_dossier(code)["id"]), self._started)

    def _started(self, dossier_id: str) -> None:
        self.notify(_("Dossier {id} created (draft).").format(id=dossier_id))
        self.host.navigate.started_dossier(dossier_id)
