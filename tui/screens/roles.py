"""The GAP's screen: who may act in which domain, the mandates, and the trail.

Three tabs over one organisation (``RolesScreen(bce)``):

- **Roles** — a people × domains grid (:class:`~tui.widgets.roles_grid.RolesGrid`);
  ``g`` grants on the cell, ``e`` changes level or end date, ``r`` revokes.
- **Mandates** — pending proposals first; ``a`` accepts, ``x`` refuses,
  ``p`` proposes, ``r`` revokes.
- **History** — the CSAM audit trail, newest first, paged as you scroll.

Rights are the portal's (it answers 403/404): GAPs and legal
representatives manage, holders of a ``manage`` role read the grid, anyone
else gets a clear message. The screen only uses what ``my_rights`` says to
hide what would be refused anyway. Every call runs in a thread worker with a
client from the host (:mod:`tui.host`), so the interface never waits, and
every failure goes to ``report_error`` — never a crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from monespace_cli.client import Conflict, Forbidden, NotFound, ValidationFailed
from monespace_cli.i18n import _
from tui import format as fmt
from tui.screens.base import PortalScreen
from tui.widgets.context_bar import ContextBar
from tui.widgets.roles_confirm import ChooseModal, ConfirmModal
from tui.widgets.roles_grid import MANDATE_MARK, UNTIL_MARK, Role, RolesGrid, describe_role
from tui.widgets.roles_history import HistoryTable
from tui.widgets.roles_mandate_form import MandateFormModal
from tui.widgets.roles_mandates import Mandate, MandatesTable, awaits_decision, can_revoke
from tui.widgets.roles_role_form import RoleFormModal

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient


#: ``my_rights`` that let a person change roles and decide on mandates.
MANAGERS = frozenset({"gap", "legal_rep"})
#: ``my_rights`` that let a person read the roles grid.
READERS = MANAGERS | {"manage"}

#: Which tab each tab-bound action belongs to.
_TAB_OF = {
    "grant": "roles",
    "change": "roles",
    "revoke_role": "roles",
    "accept": "mandates",
    "refuse": "mandates",
    "propose": "mandates",
    "revoke_mandate": "mandates",
}
_MANAGING = frozenset(_TAB_OF)


def right_label(right: str) -> str:
    """A ``my_rights`` code in words."""
    labels = {
        "gap": _("GAP"),
        "legal_rep": _("legal representative"),
        "manage": _("manager"),
        "role": _("role holder"),
    }
    return labels.get(right, right)


def problem_text(error: BaseException) -> str:
    """The portal's refusal for the form: the sentence, then one line a field."""
    lines = [str(error)]
    for field in getattr(error, "errors", None) or []:
        lines.append(f"{field.get('pointer', '').lstrip('/')}: {field.get('message', '')}")
    return "\n".join(lines)


def format_bce(bce: str) -> str:
    """``0893.450.271``: how enterprise numbers are printed in Belgium."""
    return f"{bce[:4]}.{bce[4:7]}.{bce[7:]}" if len(bce) == 10 else bce


class RolesScreen(PortalScreen[None]):
    """Roles grid, mandates and history of the organisation ``bce``."""

    DEFAULT_CSS = """
    RolesScreen #org { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    RolesScreen .detail { height: auto; max-height: 3; padding: 0 1; }
    RolesScreen .legend { height: 1; padding: 0 1; color: $text-muted; }
    RolesScreen .notice { height: auto; padding: 1 2; color: $warning; display: none; }
    RolesScreen TabbedContent { height: 1fr; }
    RolesScreen ContentSwitcher { height: 1fr; }
    RolesScreen TabPane { padding: 0; height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Back")),
        Binding("1", "tab('roles')", _("Roles"), show=False),
        Binding("2", "tab('mandates')", _("Mandates"), show=False),
        Binding("3", "tab('history')", _("History"), show=False),
        Binding("g", "grant", _("Grant")),
        Binding("e", "change", _("Change")),
        Binding("delete", "revoke_role", _("Revoke"), key_display="del"),
        Binding("a", "accept", _("Accept")),
        Binding("x", "refuse", _("Refuse")),
        Binding("p", "propose", _("Propose")),
        Binding("delete", "revoke_mandate", _("Revoke"), key_display="del"),
        Binding("f5", "refresh", _("Reload")),
    ]

    def __init__(self, bce: str, *, today: dt.date | None = None) -> None:
        super().__init__()
        self.bce = bce
        self.today = today or dt.datetime.now(dt.UTC).date()
        self.organisation: dict[str, Any] = {}
        self.rights: frozenset[str] = frozenset()

    @property
    def manager(self) -> bool:
        """GAP or legal representative: may change roles and decide on mandates."""
        return bool(self.rights & MANAGERS)

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ContextBar(_("Roles"))
        yield Static(format_bce(self.bce), id="org")
        with TabbedContent(initial="roles"):
            with TabPane(_("Roles"), id="roles"):
                yield Static("", classes="notice", id="roles-notice")
                yield RolesGrid(today=self.today, id="grid")
                yield Static("", classes="detail", id="cell-detail")
                legend = _("{mandate}level: on mandates · {until}: has an end date · dim: expired")
                yield Static(
                    legend.format(mandate=MANDATE_MARK, until=UNTIL_MARK), classes="legend"
                )
            with TabPane(_("Mandates"), id="mandates"):
                yield Static("", classes="notice", id="mandates-notice")
                yield MandatesTable(self.bce, id="mandate-table")
                yield Static("", classes="detail", id="mandate-detail")
            with TabPane(_("History"), id="history"):
                yield Static("", classes="notice", id="history-notice")
                yield HistoryTable(id="history-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RolesGrid).focus()
        self.action_refresh()

    def _notice(self, tab: str, text: str) -> None:
        notice = self.query_one(f"#{tab}-notice", Static)
        notice.update(text)
        notice.display = bool(text)

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active

    # -- loading --------------------------------------------------------------

    def action_refresh(self) -> None:
        """Read the organisation, its roles and mandates again; the trail from the top."""
        self.run_portal(self._fetch, self._show, self._refused)
        self.query_one(HistoryTable).reset()

    def _fetch(self, client: PortalClient) -> dict[str, Any]:
        organisation = client.get_organisation(self.bce)
        rights = set(organisation.get("my_rights") or [])
        found: dict[str, Any] = {"organisation": organisation}
        if rights & READERS:
            found["roles"] = client.list_roles(self.bce)
        if rights & MANAGERS:
            found["mandates"] = client.list_mandates(organisation=self.bce)
            found["history"] = client.audit(self.bce)
        return found

    def _show(self, found: dict[str, Any]) -> None:
        self.organisation = found["organisation"]
        self.rights = frozenset(self.organisation.get("my_rights") or [])
        name = self.organisation.get("name") or ""
        mine = ", ".join(right_label(right) for right in sorted(self.rights)) or "—"
        self.query_one("#org", Static).update(
            f"{name} ({format_bce(self.bce)}) · " + _("your rights: {rights}").format(rights=mine)
        )
        self._show_roles(found.get("roles"))
        if "mandates" in found:
            self._notice("mandates", "")
            self.query_one(MandatesTable).show(found["mandates"])
            self._show_mandate_detail()
            self._notice("history", "")
            page = found["history"]
            self.query_one(HistoryTable).append(page.items, page.next_cursor)
        else:
            only = _("Only the GAPs and legal representatives of the organisation see this.")
            self._notice("mandates", only)
            self._notice("history", only)
        self.refresh_bindings()

    def _show_roles(self, roles: list[Role] | None) -> None:
        if roles is None:
            self._notice("roles", _("You may not read the roles of this organisation."))
            return
        if not self.manager:
            self._notice("roles", _("Read only: only GAPs and legal representatives change roles."))
        else:
            self._notice("roles", "")
        grid = self.query_one(RolesGrid)
        grid.show(roles)
        self._show_cell_detail()

    def _refused(self, error: BaseException) -> None:
        """Nothing to show: say why where the grid would be (the notification has the detail)."""
        self.host.report_error(error)
        if isinstance(error, NotFound | Forbidden):
            text = _("You hold no right on organisation {bce} (or it does not exist).")
        else:
            text = _("Could not read the roles of {bce}; press f5 to try again.")
        self._notice("roles", text.format(bce=format_bce(self.bce)))

    # -- the History tab: pages as you scroll ------------------------------------

    def on_history_table_need_more(self, event: HistoryTable.NeedMore) -> None:
        table = self.query_one(HistoryTable)
        cursor = table.next_cursor

        def fetch(client: PortalClient) -> Any:
            return client.audit(self.bce, cursor=cursor)

        def failed(error: BaseException) -> None:
            self.host.report_error(error)
            table.asking = False

        self.run_portal(fetch, lambda page: table.append(page.items, page.next_cursor), failed)

    # -- details under the tables ---------------------------------------------------

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if isinstance(event.data_table, RolesGrid):
            self._show_cell_detail()
            self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, MandatesTable):
            self._show_mandate_detail()
            self.refresh_bindings()

    def _show_cell_detail(self) -> None:
        grid = self.query_one(RolesGrid)
        roles = grid.current_roles()
        if roles:
            text = "\n".join(describe_role(role, self.today) for role in roles)
        elif grid.current() is not None:
            person, domain = cast(tuple[Any, str], grid.current())
            text = _("{name} has no role in {domain}.").format(name=person.name, domain=domain)
            if self.manager:
                text += " " + _("Press g to grant one.")
        else:
            text = ""
        self.query_one("#cell-detail", Static).update(text)

    def _show_mandate_detail(self) -> None:
        mandate = self.query_one(MandatesTable).current()
        text = ""
        if mandate is not None:
            text = _("Proposed by {bce} on {day}.").format(
                bce=format_bce(str(mandate.get("proposed_by"))),
                day=fmt.day(mandate.get("created_at")),
            )
            decider = mandate.get("decided_by") or {}
            if decider:
                text += " " + _("Decided by {name} on {day}.").format(
                    name=decider.get("name"), day=fmt.day(mandate.get("decided_at"))
                )
        self.query_one("#mandate-detail", Static).update(text)

    # -- bindings --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide other tabs' actions; grey out what the person may not do here."""
        tab = _TAB_OF.get(action)
        if tab is None:
            return True
        if not self.is_mounted or self.active_tab != tab:
            return False
        if action in _MANAGING and not self.manager:
            return None
        if action in ("accept", "refuse"):
            mandate = self.query_one(MandatesTable).current()
            return True if mandate and awaits_decision(mandate, self.bce) else None
        if action == "revoke_mandate":
            mandate = self.query_one(MandatesTable).current()
            return True if mandate and can_revoke(mandate) else None
        if action in ("change", "revoke_role"):
            return True if self.query_one(RolesGrid).current_roles() else None
        return True

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._focus_table(str(event.pane.id))

    def _focus_table(self, tab: str) -> None:
        """The keys go to the tab's table (arrows, page down) and its actions show."""
        tables = {"roles": "#grid", "mandates": "#mandate-table", "history": "#history-table"}
        selector = tables.get(tab)
        if selector is not None:
            self.query_one(selector).focus()
        self.refresh_bindings()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self._focus_table(tab)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    # -- roles -------------------------------------------------------------------

    def action_grant(self) -> None:
        grid = self.query_one(RolesGrid)
        here = grid.current()
        person = grid.current_person()
        form = RoleFormModal(nrn=person.nrn if person else "", domain=here[1] if here else None)
        self.app.push_screen(form, self._granted)

    def _granted(self, body: dict[str, Any] | None) -> None:
        if body is None:
            return

        def grant(client: PortalClient) -> dict[str, Any]:
            client.grant_role(self.bce, body)
            return self._fetch(client)

        def done(found: dict[str, Any]) -> None:
            self._after_write(found, _("Role granted."))
            self.query_one(RolesGrid).move_to(body["nrn"], body["domain"])

        def again(error: BaseException) -> None:
            """Rejected input: the form again, as typed, with the portal's words."""
            self.host.report_error(error)
            if isinstance(error, ValidationFailed | Conflict):
                form = RoleFormModal(values=body, problem=problem_text(error))
                self.app.push_screen(form, self._granted)

        self.run_portal(grant, done, again)

    def _after_write(self, found: dict[str, Any], message: str) -> None:
        self.query_one(HistoryTable).reset()
        self._show(found)
        self.notify(message)

    def _pick_role(self, verb: str, then: Callable[[Role], None]) -> None:
        """The role of the cell, asking which one when the cell holds several."""
        roles = self.query_one(RolesGrid).current_roles()
        if len(roles) == 1:
            then(roles[0])
        elif roles:
            lines = [describe_role(role, self.today) for role in roles]

            def chosen(index: int | None) -> None:
                if index is not None:
                    then(roles[index])

            self.app.push_screen(ChooseModal(verb, lines), chosen)

    def action_change(self) -> None:
        self._pick_role(_("Which role to change?"), self._change)

    def _change(self, role: Role) -> None:
        def changed(body: dict[str, Any] | None) -> None:
            if body is None:
                return

            def change(client: PortalClient) -> dict[str, Any]:
                client.change_role(self.bce, str(role["id"]), body)
                return self._fetch(client)

            self.run_portal(change, lambda found: self._after_write(found, _("Role changed.")))

        self.app.push_screen(RoleFormModal(role=role), changed)

    def action_revoke_role(self) -> None:
        self._pick_role(_("Which role to revoke?"), self._revoke_role)

    def _revoke_role(self, role: Role) -> None:
        question = _("Revoke this role?\n{role}").format(role=describe_role(role, self.today))

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return

            def revoke(client: PortalClient) -> dict[str, Any]:
                client.revoke_role(self.bce, str(role["id"]))
                return self._fetch(client)

            self.run_portal(revoke, lambda found: self._after_write(found, _("Role revoked.")))

        self.app.push_screen(ConfirmModal(question), confirmed)

    # -- mandates ----------------------------------------------------------------

    def action_accept(self) -> None:
        mandate = self.query_one(MandatesTable).current()
        if mandate is not None:
            self._decide(mandate, "accept", _("Mandate accepted."))

    def action_refuse(self) -> None:
        self._confirm_decision("refuse", _("Refuse this mandate?"), _("Mandate refused."))

    def action_revoke_mandate(self) -> None:
        self._confirm_decision("revoke", _("Revoke this mandate?"), _("Mandate revoked."))

    def _confirm_decision(self, decision: str, question: str, done: str) -> None:
        mandate = self.query_one(MandatesTable).current()
        if mandate is None:
            return
        domains = ", ".join(mandate.get("domains") or [])
        text = f"{question}\n{mandate['beneficiary']['name']} ← {mandate['mandataire']['name']}"
        text += f" ({domains})"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._decide(mandate, decision, done)

        self.app.push_screen(ConfirmModal(text), confirmed)

    def _decide(self, mandate: Mandate, decision: str, message: str) -> None:
        def decide(client: PortalClient) -> dict[str, Any]:
            client.decide_mandate(str(mandate["id"]), decision)
            return self._fetch(client)

        self.run_portal(decide, lambda found: self._after_write(found, message))

    def action_propose(self) -> None:
        def proposed(body: dict[str, Any] | None) -> None:
            if body is None:
                return

            def propose(client: PortalClient) -> dict[str, Any]:
                client.propose_mandate(body)
                return self._fetch(client)

            self.run_portal(propose, lambda found: self._after_write(found, _("Mandate proposed.")))

        self.app.push_screen(MandateFormModal(self.bce, today=self.today), proposed)
