"""The base of every screen that talks to the portal.

Why a base: every screen needs the same three things — the app as its
host, the folder where files are picked and saved, and a way to run a
blocking request off the UI thread and show its answer (try, report,
hand back to the event loop, mind a closing app or a screen already left).
:class:`PortalScreen` gives them once and typed, so that mypy checks what a
screen asks of the app (:class:`tui.host.PortalHost`) and every request is
run the same way (:func:`tui.threads.run_in_thread`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen, ScreenResultType

from tui.threads import run_in_thread

if TYPE_CHECKING:
    from textual.worker import Worker

    from monespace_cli.client import PortalClient
    from tui.host import PortalHost

ResultT = TypeVar("ResultT")


class PortalScreen(Screen[ScreenResultType]):
    """A screen of the app: typed host, files folder, portal calls off the UI thread."""

    @property
    def host(self) -> PortalHost:
        """The app, as the screens see it (see :mod:`tui.host`)."""
        return cast("PortalHost", self.app)

    @property
    def files_dir(self) -> Path:
        """Where the file picker starts and files are saved by default."""
        return self.host.settings.files_dir or Path.cwd()

    def run_in_thread(
        self,
        job: Callable[[], ResultT],
        then: Callable[[ResultT], object] | None = None,
        failed: Callable[[BaseException], object] | None = None,
        *,
        group: str = "portal",
        exclusive: bool = False,
    ) -> Worker[None]:
        """``job()`` in a thread worker, ``then(result)`` back here (see ``tui.threads``)."""
        return run_in_thread(self, job, then, failed, group=group, exclusive=exclusive)

    def run_portal(
        self,
        job: Callable[[PortalClient], ResultT],
        then: Callable[[ResultT], object] | None = None,
        failed: Callable[[BaseException], object] | None = None,
        *,
        group: str = "portal",
        exclusive: bool = False,
    ) -> Worker[None]:
        """``job(client)`` with a fresh client of the acting context, off the UI thread."""
        host = self.host  # now: from the worker thread, a screen already left has no app

        def with_client() -> ResultT:
            with host.portal() as client:
                return job(client)

        return self.run_in_thread(with_client, then, failed, group=group, exclusive=exclusive)
