"""The agent actions' test host, people and helpers (imported by the tests and conftest).

The portal is ``portal_server`` (real uvicorn, sandbox seeds, session-wide,
shared with other suites): every test files its own dossiers through the
applicant's API and acts on those only. ``run_action``/``run_export`` run
from :class:`ActionsScreen`, a bare screen that calls them on key presses
(``x`` and ``e``) and records the :class:`DossiersChanged` it receives,
inside :class:`ActionsHost`, the smallest ``PortalHost`` with a real client.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Label

from monespace_cli.client import PortalClient
from tests.tui.pilot_wait import until  # noqa: F401 - re-exported to the tests
from tui.agent_actions import DossiersChanged, run_action, run_export

#: Anne Gilson: supervisor of SPW-EER.
SUPERVISOR = "70112804283"
#: Maxime Piron: agent of SPW-EER and of FOREM.
AGENT = "90060621186"
#: Philippe Lambert: legal representative of Fiduciaire Meuse & Sambre SRL.
APPLICANT = "68031412135"
FIDUCIAIRE = "0856712314"
#: An SPW-EER procedure open to enterprises (one required PDF attachment).
PROCEDURE = "CHEQUES-ENTREPRISES"

ROOT = Path(__file__).resolve().parents[3]


class ActionsScreen(Screen[None]):
    """Calls the actions on keys, like the queue will: ``x`` acts, ``e`` exports."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "act", "Act"),
        Binding("e", "export", "Export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.action = "claim"
        self.items: list[dict[str, Any]] = []
        self.filters: dict[str, Any] = {}
        #: Every DossiersChanged received, in order.
        self.changed: list[list[str]] = []

    def compose(self) -> ComposeResult:
        yield Label("queue")

    def action_act(self) -> None:
        run_action(self, self.action, self.items)

    def action_export(self) -> None:
        run_export(self, self.filters)

    def on_dossiers_changed(self, message: DossiersChanged) -> None:
        self.changed.append(message.ids)


class _Settings:
    def __init__(self, files_dir: Path | None) -> None:
        self.files_dir = files_dir


class ActionsHost(App[None]):
    """One token; errors and notifications kept for asserts (and shown)."""

    def __init__(self, portal_url: str, token: str, files_dir: Path | None = None) -> None:
        super().__init__()
        self.portal_url = portal_url
        self.token = token
        self.acting_as = "me"
        self.settings = _Settings(files_dir)
        self.errors: list[BaseException] = []
        self.said: list[tuple[str, str]] = []
        self.actions_screen = ActionsScreen()

    def on_mount(self) -> None:
        self.push_screen(self.actions_screen)

    def portal(self, acting_as: str | None = None) -> PortalClient:
        return PortalClient(self.portal_url, token=self.token, acting_as=acting_as or "me")

    def report_error(self, error: BaseException) -> None:
        self.errors.append(error)
        if threading.get_ident() == self._thread_id:
            self.notify(str(error), severity="error")
        else:
            self.call_from_thread(self.notify, str(error), severity="error")

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.said.append((str(message), str(kwargs.get("severity", "information"))))
        super().notify(message, *args, **kwargs)


Scenario = Callable[[ActionsHost, ActionsScreen, Pilot[None]], Awaitable[None]]


def play(url: str, token: str, scenario: Scenario, *, files_dir: Path | None = None) -> ActionsHost:
    """Run the host at 80×24 and play ``scenario``; the host afterwards, for asserts."""
    app = ActionsHost(url, token, files_dir)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await scenario(app, app.actions_screen, pilot)

    asyncio.run(main())
    return app


def said(app: ActionsHost, text: str) -> bool:
    """Whether some notification contains ``text``."""
    return any(text in message for message, _severity in app.said)


def file_dossiers(url: str, token: str, pdf: bytes, n: int = 1) -> list[str]:
    """``n`` new submitted SPW-EER dossiers of the Fiduciaire (as its legal rep); their ids."""
    import httpx

    example = json.loads((ROOT / "portal/sandbox/procedures" / f"{PROCEDURE}.json").read_text())
    headers = {"Authorization": f"Bearer {token}", "X-Acting-As": FIDUCIAIRE}
    ids = []
    with httpx.Client(base_url=url + "/api/v1", headers=headers, timeout=30) as http:
        for _ in range(n):
            made = http.post(
                "/dossiers", json={"procedure": PROCEDURE, "data": example["example_data"]}
            )
            assert made.status_code == 201, made.text
            ident = made.json()["id"]
            files = {"file": ("convention.pdf", pdf, "application/pdf")}
            added = http.post(
                f"/dossiers/{ident}/attachments", data={"kind": "service_agreement"}, files=files
            )
            assert added.status_code == 201, added.text
            sent = http.post(f"/dossiers/{ident}/submit", headers={"Idempotency-Key": ident})
            assert sent.status_code == 200, sent.text
            ids.append(str(ident))
    return ids


def queue_item(client: PortalClient, dossier_id: str) -> dict[str, Any]:
    """The dossier as a queue row (what the queue screen passes to run_action)."""
    page = client.agent_queue(q=dossier_id, status="all")
    rows = [dict(item) for item in page.items if item["id"] == dossier_id]
    assert rows, f"{dossier_id} not in the queue"
    return rows[0]
