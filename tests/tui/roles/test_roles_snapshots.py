"""Snapshots of the roles grid at 80×24 and 120×40, on data that does not move.

Why a private portal: the session-wide ``portal_server`` is changed by other
tests (this folder grants and revokes roles); snapshots need the seeds as
loaded. This module starts its own real portal (uvicorn on a copy of the
seeded sandbox database ``sandbox_database_template``)
and only reads from it. The screen's day is fixed (``today=``), so which
role reads as expired does not depend on the clock; the cursor stays on the
name column, so no detail line (which may carry dates) is drawn, except in
the expired-role snapshot whose dates all come from the seeds.

Regenerate with ``pytest tests/tui/roles/test_roles_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from roles_host import STORY_DAY, RolesHost, session_token, until
from textual.pilot import Pilot

from tests.conftest import PortalServer
from tests.tui.pilot_wait import tables_measured
from tui.screens.roles import RolesScreen
from tui.widgets.roles_grid import RolesGrid

#: Sophie Lejeune, GAP of Fiduciaire Meuse & Sambre SRL (staff with roles on mandates).
SOPHIE = "83110208625"
FIDUCIAIRE = "0856712314"
#: Aurélie Wéry, GAP of Transports Wéry SA (one role ends on 2026-12-31).
AURELIE = "00022911825"
WERY = "0459811078"


def _host(
    portal: PortalServer, nrn: str, bce: str, today: dt.date
) -> tuple[RolesHost, RolesScreen]:
    screen = RolesScreen(bce, today=today)
    host = RolesHost(portal.url, session_token(portal.url, portal.pki_dir, nrn), screen)
    host.title = "monespace"
    return host, screen


def _loaded(screen: RolesScreen, then: Callable[[RolesGrid], None] | None = None) -> Any:
    async def run_before(pilot: Pilot[None]) -> None:
        grid = screen.query_one(RolesGrid)
        await until(pilot, lambda: grid.row_count > 0 and bool(screen.rights))
        if then is not None:
            then(grid)
        # On a loaded machine the picture was once taken before the table had
        # measured its rows (names cut to the header's width).
        await tables_measured(pilot, pilot.app)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_the_firm_grid(quiet_portal: PortalServer, snap_compare: Any, size: Any) -> None:
    host, screen = _host(quiet_portal, SOPHIE, FIDUCIAIRE, STORY_DAY)
    assert snap_compare(host, terminal_size=size, run_before=_loaded(screen))


def test_snapshot_an_expired_role_is_greyed(quiet_portal: PortalServer, snap_compare: Any) -> None:
    host, screen = _host(quiet_portal, AURELIE, WERY, dt.date(2027, 1, 15))
    on_expired = _loaded(screen, lambda grid: grid.move_to(AURELIE, "environment"))
    assert snap_compare(host, terminal_size=(80, 24), run_before=on_expired)
