"""The progress bar of a bulk run: counts and ETA on stderr, only on a terminal.

Why only on a terminal: a bar redrawn with carriage returns is noise in a
log file or a CI job; there the start line and the final summary suffice.
rich is imported only when a bar is shown.
"""

from __future__ import annotations

from typing import Any, TextIO

from monespace_cli.bulk import journal as jn
from monespace_cli.i18n import _


class Progress:
    """``update(counts)`` after each row; a no-op when stderr is not a terminal."""

    def __init__(self, stderr: TextIO, *, enabled: bool, total: int, done: int) -> None:
        self._bar: Any = None
        self._task: Any = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=stderr),
            transient=False,
        )
        self._task = self._bar.add_task(_("Filing"), total=total, completed=done, counts="")
        self._bar.start()

    def update(self, counts: dict[str, int]) -> None:
        if self._bar is None:
            return
        done = counts.get(jn.SUBMITTED, 0) + counts.get(jn.REJECTED, 0)
        text = _("{ok} submitted, {bad} rejected").format(
            ok=counts.get(jn.SUBMITTED, 0), bad=counts.get(jn.REJECTED, 0)
        )
        self._bar.update(self._task, completed=done, counts=text)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
