"""Snapshots of the main screens (login, dashboard, catalogue, dossier) at 80×24 and 120×40.

Deterministic by construction: a portal of this module's own on a fresh
sandbox database (so dossier numbers and contents are the same on every
run), the live stream off, and the two things that follow the clock —
timestamps and the year inside dossier numbers — replaced on screen by
fixed text just before the picture is taken (:func:`freeze`).
Regenerate with ``pytest tests/tui/shell/test_snapshots.py --snapshot-update``
and review the SVGs.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from shell_helpers import CITIZEN, make_app, token_for, virtual_card
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from monespace_cli.client import PortalClient
from tests.tui.pilot_wait import drawn, tables_measured, wait_for

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
AGENT = "98070305621"  # Manon Jacquet, SPW-ARNE
DUE = (dt.date.today() + dt.timedelta(days=30)).isoformat()
_TIME = re.compile(r"\b20\d\d-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?")
_DAY = re.compile(r"\b20\d\d-\d\d-\d\d\b")
_REF = re.compile(r"\bMSP-20\d\d-")
#: The same moments as people read them (dd/mm/yyyy, local time).
_LOCAL_TIME = re.compile(r"\b\d\d/\d\d/20\d\d \d\d:\d\d\b")
_LOCAL_DAY = re.compile(r"\b\d\d/\d\d/20\d\d\b")
_STRUCTURED = re.compile(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+")


def _fixed(text: str) -> str:
    text = _STRUCTURED.sub("+++000/0000/00097+++", text)
    text = _TIME.sub("2026-11-23 10:00", text)
    text = _LOCAL_DAY.sub("01/12/2026", _LOCAL_TIME.sub("23/11/2026 10:00", text))
    return _REF.sub("MSP-2026-", _DAY.sub("2026-12-01", text))


def freeze(app: Any) -> None:
    """Replace clock-dependent text in every table cell and Static of the screen."""
    for table in app.screen.query(DataTable):
        for row in range(table.row_count):
            for column in range(len(table.columns)):
                coordinate = Coordinate(row, column)
                value = table.get_cell_at(coordinate)
                if isinstance(value, str) and value != _fixed(value):
                    table.update_cell_at(coordinate, _fixed(value))
    for static in app.screen.query(Static):
        if static.id and static.id.startswith("bar-"):
            continue
        text = str(static.render())
        if text != _fixed(text):
            static.update(_fixed(text))


class Story:
    """The fixed data of the snapshots: one portal, one citizen, three dossiers."""

    def __init__(self, url: str, token: str, draft: str, asked: str) -> None:
        self.url, self.token, self.draft, self.asked = url, token, draft, asked


@pytest.fixture(scope="module")
def story(pki_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.conftest import PortalServer, init_portal

    directory = tmp_path_factory.mktemp("tui-snapshots")
    database = f"sqlite:///{directory / 'portal.sqlite3'}"
    init_portal(database, pki_dir)
    server = PortalServer(database, pki_dir, directory / "server.log")
    server.start(timeout=120)  # the machine may be busy
    try:
        token = token_for(server.url, pki_dir, CITIZEN)
        with PortalClient(server.url, token=token) as client:
            draft = str(client.create_dossier("DOGID")["id"])
            asked = client.create_dossier("PERMIS-PECHE", {"permit_type": "B", "year": 2027})
            client.submit_dossier(str(asked["id"]))
        agent = token_for(server.url, pki_dir, AGENT)
        answer = httpx.post(
            f"{server.url}/api/v1/agent/dossiers/{asked['id']}/complement",
            json={"message": "Merci de joindre une photo d'identité.", "due_date": DUE},
            headers={"Authorization": f"Bearer {agent}"},
            timeout=30,
        )
        assert answer.status_code in (200, 201, 404), answer.text
        yield Story(server.url, token, draft, str(asked["id"]))
    finally:
        server.stop()


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_login(snap_compare: Any, story: Story, size: tuple[int, int]) -> None:
    card = virtual_card(story.url, CITIZEN)
    app = make_app(story.url, card_connection=card.connection())

    async def ready(pilot: Any) -> None:
        await wait_for(
            pilot, lambda: "Card ready" in str(app.screen.query_one("#card-status").render())
        )
        app.screen.query_one(
            "#pin"
        ).cursor_blink = False  # a blinking cursor is not a fixed picture
        await pilot.press(*"12")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dashboard(snap_compare: Any, story: Story, size: tuple[int, int]) -> None:
    app = make_app(story.url, token=story.token)

    async def ready(pilot: Any) -> None:
        await wait_for(pilot, lambda: getattr(app.screen, "data", None) is not None and app.me)
        await pilot.pause()
        freeze(app)
        await tables_measured(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_catalogue(snap_compare: Any, story: Story, size: tuple[int, int]) -> None:
    app = make_app(story.url, token=story.token)

    async def ready(pilot: Any) -> None:
        await wait_for(pilot, lambda: getattr(app.screen, "data", None) is not None and app.me)
        await pilot.press("c")
        await wait_for(pilot, lambda: getattr(app.screen, "procedures", None))
        await pilot.press("slash", *"permis")
        await wait_for(pilot, lambda: len(app.screen.shown) < len(app.screen.procedures))
        await pilot.press("enter", "down")  # to the list (no blinking cursor), second match
        await tables_measured(pilot, app)
        await drawn(pilot)

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dossier(snap_compare: Any, story: Story, size: tuple[int, int]) -> None:
    from tui.screens.dossier import DossierScreen

    app = make_app(story.url, token=story.token)

    async def ready(pilot: Any) -> None:
        await wait_for(pilot, lambda: getattr(app.screen, "data", None) is not None and app.me)
        app.push_screen(DossierScreen(story.asked))
        await wait_for(pilot, lambda: getattr(app.screen, "view", None) is not None)
        await pilot.pause()
        freeze(app)
        await tables_measured(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dossier_messages(snap_compare: Any, story: Story, size: tuple[int, int]) -> None:
    from tui.screens.dossier import DossierScreen

    app = make_app(story.url, token=story.token)

    async def ready(pilot: Any) -> None:
        await wait_for(pilot, lambda: getattr(app.screen, "data", None) is not None and app.me)
        app.push_screen(DossierScreen(story.asked))
        await wait_for(pilot, lambda: getattr(app.screen, "view", None) is not None)
        await pilot.press("2")
        await pilot.pause()
        freeze(app)
        await tables_measured(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=ready)
