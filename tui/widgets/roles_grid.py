"""The people × domains grid of an organisation's CSAM roles.

Why a grid and not a list: a GAP's question is "who can do what here?", and
a row per person with a column per CSAM domain answers it at a glance; the
holes are where a grant goes. The model (:func:`build_grid`) is pure so the
rules of a cell — which roles it holds, how it reads, when it is expired —
are tested without a terminal; :class:`RolesGrid` only draws it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from monespace_cli.i18n import _
from monespace_cli.roles_file import DOMAINS
from tui import format as fmt

Role = Mapping[str, Any]

#: Marks a role given to staff for the organisation's clients (mandates).
MANDATE_MARK = "M:"
#: Marks a role with an end date (the detail line says which).
UNTIL_MARK = "*"


@dataclass(frozen=True)
class Person:
    """One row: a person holding at least one role."""

    nrn: str
    name: str


@dataclass
class Grid:
    """Rows, columns and the roles of every (person, domain) cell."""

    people: list[Person] = field(default_factory=list)
    domains: tuple[str, ...] = DOMAINS
    cells: dict[tuple[str, str], list[Role]] = field(default_factory=dict)

    def roles_at(self, nrn: str, domain: str) -> list[Role]:
        """The roles of one cell (own roles first, then those on mandates)."""
        return self.cells.get((nrn, domain), [])


def _order(role: Role) -> tuple[bool, str]:
    return (bool(role.get("on_mandates")), str(role.get("beneficiary") or ""))


def build_grid(roles: Iterable[Role]) -> Grid:
    """Group the API's role list into rows (people by name) and cells."""
    grid = Grid()
    names: dict[str, str] = {}
    for role in roles:
        nrn = str(role["nrn"])
        names.setdefault(nrn, str(role.get("name") or nrn))
        grid.cells.setdefault((nrn, str(role["domain"])), []).append(role)
    for cell in grid.cells.values():
        cell.sort(key=_order)
    grid.people = sorted(
        (Person(nrn, name) for nrn, name in names.items()), key=lambda p: (p.name, p.nrn)
    )
    return grid


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def is_expired(role: Role, today: dt.date) -> bool:
    """Past its end date: kept in the grid (greyed) so the GAP sees what lapsed."""
    until = _day(role.get("valid_until"))
    return until is not None and until < today


def is_pending(role: Role, today: dt.date) -> bool:
    """Granted from a future day: not yet in force."""
    start = _day(role.get("valid_from"))
    return start is not None and start > today


def role_token(role: Role, today: dt.date) -> Text:
    """One role as it reads in a cell: ``act``, ``M:manage``, ``consult*``."""
    label = (MANDATE_MARK if role.get("on_mandates") else "") + str(role["level"])
    if role.get("valid_until"):
        label += UNTIL_MARK
    if is_expired(role, today):
        return Text(label, style="dim strike")
    if is_pending(role, today):
        return Text(label, style="italic")
    return Text(label, style=_LEVEL_STYLES.get(str(role["level"]), ""))


_LEVEL_STYLES = {"consult": "", "act": "bold", "manage": "bold reverse"}


def cell_text(roles: list[Role], today: dt.date) -> Text:
    """The cell: its roles' tokens side by side, or a dot for an empty cell."""
    if not roles:
        return Text("·", style="dim")
    return Text(" ").join(role_token(role, today) for role in roles)


def describe_role(role: Role, today: dt.date) -> str:
    """The detail line of one role: level, domain, period, mandates, granter."""
    parts = [f"{role.get('name', role['nrn'])}", str(role["domain"]), str(role["level"])]
    period = _("from {start}").format(start=fmt.day(role.get("valid_from")) or "?")
    if role.get("valid_until"):
        period += " " + _("until {end}").format(end=fmt.day(role["valid_until"]))
    parts.append(period)
    if role.get("on_mandates"):
        beneficiary = role.get("beneficiary")
        parts.append(
            _("on the mandate of {bce}").format(bce=beneficiary)
            if beneficiary
            else _("on every mandate")
        )
    granter = role.get("granted_by") or {}
    if granter.get("name"):
        parts.append(_("granted by {name}").format(name=granter["name"]))
    if is_expired(role, today):
        parts.append(_("expired"))
    elif is_pending(role, today):
        parts.append(_("not yet in force"))
    return " · ".join(parts)


class RolesGrid(DataTable[Text]):
    """A cell-cursor table of the grid; keeps the model to answer "what is here?"."""

    DEFAULT_CSS = """
    RolesGrid { height: 1fr; }
    """

    def __init__(self, *, today: dt.date | None = None, id: str | None = None) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, id=id)
        self.today = today or dt.datetime.now(dt.UTC).date()
        self.grid = Grid()

    def show(self, roles: Iterable[Role]) -> None:
        """Redraw from the API's role list, keeping the cursor where it was."""
        where = self.cursor_coordinate
        self.grid = build_grid(roles)
        self.clear(columns=True)
        self.add_column(_("Person"), key="person")
        for domain in self.grid.domains:
            self.add_column(domain, key=domain)
        for person in self.grid.people:
            cells = [cell_text(self.grid.roles_at(person.nrn, d), self.today) for d in DOMAINS]
            self.add_row(Text(person.name), *cells, key=person.nrn)
        if self.row_count:
            self.cursor_coordinate = self.validate_cursor_coordinate(where)

    def current(self) -> tuple[Person, str] | None:
        """The person and domain under the cursor (None on the name column or an empty grid)."""
        if not self.row_count:
            return None
        row, column = self.cursor_coordinate
        person = self.grid.people[row]
        if column == 0:
            return None
        return person, self.grid.domains[column - 1]

    def current_person(self) -> Person | None:
        """The person of the cursor's row, whatever the column."""
        if not self.row_count:
            return None
        return self.grid.people[self.cursor_coordinate.row]

    def current_roles(self) -> list[Role]:
        """The roles in the cell under the cursor."""
        here = self.current()
        return self.grid.roles_at(here[0].nrn, here[1]) if here else []

    def move_to(self, nrn: str, domain: str) -> None:
        """Put the cursor on a cell (after a grant, on the role just given)."""
        for row, person in enumerate(self.grid.people):
            if person.nrn == nrn and domain in self.grid.domains:
                self.move_cursor(row=row, column=self.grid.domains.index(domain) + 1)
                return
