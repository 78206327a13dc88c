"""Helpers of the agent queue tests: a private seeded portal, people, the app, waiting.

Why a portal of its own (module-scoped): the queue shows *every* open
dossier of the agent's services, so its rows, order and counts depend on
the whole database. Each test module copies the migrated sandbox database
(``sandbox_database_template``), seeds it with ``portal.seed.seed_dossiers``
(the code behind ``monespace-portal seed``; random seed fixed, and for
snapshots the clock it reads fixed too) and starts the real server on it.

People (SPW-ARNE handles DOGID and PERMIS-PECHE, citizens' procedures):
Manon Jacquet is the agent at the keyboard, Geoffrey Lemaire her
supervisor (the "other agent" of the live tests), Marie Claire Dubois the
citizen who files new dossiers.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import PortalServer, session_token
from tests.tui.pilot_wait import wait_for

ROOT = Path(__file__).resolve().parents[3]
#: Manon Jacquet: agent of SPW-ARNE.
AGENT = "98070305621"
#: Geoffrey Lemaire: supervisor of SPW-ARNE.
SUPERVISOR = "77042520313"
#: Marie Claire Dubois: a citizen (DOGID's example keeper).
CITIZEN = "86040203095"
#: Sarah Hardy: agent of SPW-TLPE only.
OTHER_SERVICE_AGENT = "95101407815"
#: Seeded dossiers: about 340 open SPW-ARNE ones among them (four pages of 100).
SEEDED = 5000
#: The clock of the snapshot portal's seed: long past, so every open dossier is overdue
#: whatever day the tests run (the portal computes "overdue" with its own clock).
SNAPSHOT_NOW = dt.datetime(2020, 6, 1, 9, 0, tzinfo=dt.UTC)


def seeded_portal(
    template: Path, pki_dir: Path, directory: Path, *, dossiers: int, now: dt.datetime | None
) -> PortalServer:
    """A started portal on a seeded copy of the sandbox database (stop it yourself)."""
    import portal.seed as seed
    from portal.db import make_engine

    database = directory / "portal.sqlite3"
    shutil.copyfile(template, database)
    engine = make_engine(f"sqlite:///{database}")
    real_now = seed.utcnow
    if now is not None:
        seed.utcnow = lambda: now  # type: ignore[assignment]
    try:
        seed.seed_dossiers(engine, dossiers, seed=7)
    finally:
        seed.utcnow = real_now  # type: ignore[assignment]
        engine.dispose()
    server = PortalServer(f"sqlite:///{database}", pki_dir, directory / "server.log")
    server.start()
    return server


class People:
    """Tokens and API clients of the module's portal, one session per person."""

    def __init__(self, server: PortalServer) -> None:
        self.server = server
        self._tokens: dict[str, str] = {}

    def token(self, nrn: str) -> str:
        if nrn not in self._tokens:
            self._tokens[nrn] = session_token(self.server.url, self.server.pki_dir, nrn)
        return self._tokens[nrn]

    def client(self, nrn: str) -> Any:
        from monespace_cli.client import PortalClient

        return PortalClient(self.server.url, token=self.token(nrn), acting_as="me")


def make_app(url: str, token: str, files_dir: Path | None = None, **options: Any) -> Any:
    """The real ``MonespaceApp``, opening the back office after login (``--agent``)."""
    from tui.app import MonespaceApp, TuiSettings

    options.setdefault("live", False)
    settings = TuiSettings(
        portal_url=url, token=token, start_agent=True, files_dir=files_dir, **options
    )
    return MonespaceApp(settings)


def portal_calls(app: Any, method: str) -> list[dict[str, Any]]:
    """Every ``method`` call of the app's clients: its keyword arguments, ``args`` the others.

    The real client still makes the call to the real portal; this only records
    it, so that a test can say what the queue asked for (each page once, the
    debounced filter queries, one preview read) without the screen keeping a
    trace for it. Call before the app runs: the queue keeps the client it gets.
    """
    calls: list[dict[str, Any]] = []
    make_client = app.portal

    def portal(acting_as: str | None = None) -> Any:
        client = make_client(acting_as)
        real = getattr(client, method)

        def recorded(*args: Any, **kwargs: Any) -> Any:
            calls.append(dict(kwargs, args=args))
            return real(*args, **kwargs)

        setattr(client, method, recorded)
        return client

    app.portal = portal
    return calls


def queue_screen(app: Any) -> Any:
    """The queue screen once composed (its table mounted), else None."""
    from tui.screens.agent_queue import AgentQueueScreen

    screen = app.screen
    if isinstance(screen, AgentQueueScreen) and screen.query("#queue-table"):
        return screen
    return None


async def open_queue(app: Any, pilot: Any) -> Any:
    """Wait for the queue screen and its first page; the screen."""
    screen = await wait_for(pilot, lambda: queue_screen(app))
    await wait_for(pilot, lambda: screen.table.row_count > 0 and screen.counts is not None)
    return screen


def settled(screen: Any) -> bool:
    """No page in flight and no filter query waiting."""
    return not screen.fetching and screen._filter_timer is None


def previews_the_cursor(screen: Any) -> bool:
    """The preview names the highlighted row (loading or shown): its highlight was handled.

    Why: moving the cursor posts a message; what the screen does about it
    (fetch the next page, start the preview's timer) happens when that
    message is handled, which this makes visible.
    """
    current = screen.table.current_id()
    summary = str(screen.preview.query_one("#pv-summary").render())
    return current is not None and re.search(rf"\b{re.escape(str(current))}\b", summary) is not None


def all_queue_ids(client: Any, **filters: Any) -> list[str]:
    """Every id of the queue through the API, in order (to compare with the table)."""
    return [str(item["id"]) for item in client.iter_agent_queue(limit=100, **filters)]


def file_dogid(client: Any, attachment: bytes | None = None) -> str:
    """A new submitted DOGID dossier of the citizen (with a PDF attachment if given); its id."""
    example = json.loads((ROOT / "portal/sandbox/procedures/DOGID.json").read_text())
    dossier = client.create_dossier("DOGID", example["example_data"])
    dossier_id = str(dossier["id"])
    if attachment is not None:
        client.add_attachment(
            dossier_id,
            "vet_certificate",
            "certificat.pdf",
            attachment,
            content_type="application/pdf",
        )
    client.submit_dossier(dossier_id)
    return dossier_id
