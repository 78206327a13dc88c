"""The roles screen's test host, people and helpers (imported by the tests and conftest).

The portal is ``portal_server`` (real uvicorn, sandbox seeds, session-wide:
tests start from what they read). Tokens come from the real eID
challenge–response (the pattern of tests/cli/dossier/conftest.py). The
screen runs inside :class:`RolesHost`, a minimal app satisfying
``tui.host.PortalHost`` with a real ``PortalClient`` — until the shell's
``MonespaceApp`` is used at integration.

Organisations used here are ones the other suites leave alone:
Lebenshilfe Eupen ASBL (GAP Anna Pauels) and Eifel Bau SRL (GAP Stefan Cormann).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from monespace_cli.client import PortalClient
from tests.tui.pilot_wait import until  # noqa: F401 - re-exported to the tests
from tui.screens.roles import RolesScreen

#: Anna Pauels, legal representative and GAP of Lebenshilfe Eupen ASBL.
ANNA = "84081911271"
LEBENSHILFE = "0861032970"
#: Stefan Cormann, legal representative and GAP of Eifel Bau SRL.
STEFAN = "71020804160"
EIFEL = "0820146777"
#: Monika Schröder, a citizen with no role anywhere in the seeds.
MONIKA = "55112114668"
#: Hugo Vandenberghe, another citizen with no role anywhere.
HUGO = "05011716152"
#: The sandbox story's day (docs: portal/sandbox/README.md).
STORY_DAY = dt.date(2026, 11, 23)


def session_token(portal_url: str, pki_dir: Any, nrn: str) -> str:
    """A session token through the real challenge–response (key from the sandbox PKI)."""
    from tests.conftest import session_token as login

    return login(portal_url, pki_dir, nrn)


class RolesHost(App[None]):
    """The smallest ``PortalHost``: one token, acting as ``me``, errors kept and shown."""

    def __init__(self, portal_url: str, token: str, screen: RolesScreen) -> None:
        super().__init__()
        self.portal_url = portal_url
        self.token = token
        self.acting_as = "me"
        self.errors: list[BaseException] = []
        self._roles_screen = screen

    def compose(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        self.push_screen(self._roles_screen)

    def portal(self) -> PortalClient:
        return PortalClient(self.portal_url, token=self.token, acting_as=self.acting_as)

    def report_error(self, error: BaseException) -> None:
        self.errors.append(error)
        if threading.get_ident() == self._thread_id:
            self.notify(str(error), severity="error")
        else:
            self.call_from_thread(self.notify, str(error), severity="error")


Scenario = Callable[[RolesHost, RolesScreen, Pilot[None]], Awaitable[None]]
