"""Textual's command palette with its own words in the person's language.

Textual writes the palette's "No matches found" line in English inside a
private method; this subclass draws the same line through gettext. The
prompt ("Search for commands…") is a constructor argument and is passed
translated by :class:`tui.app.MonespaceApp`. A test in German
(``tests/tui/terminal/test_terminal_german.py``) shows the line, so a Textual
release that renames the method fails there instead of turning English
silently.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from monespace_cli.i18n import _


class TranslatedPalette(CommandPalette):
    """The command palette, with "No matches found" translated."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's, with the line in the person's language."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            # An empty search is discovery mode: no "no matches" there (as Textual).
            if not search_value:
                self._list_visible = False
                return
            self.query_one(CommandList).add_option(
                Option(
                    Align.center(Text(_("No matches found"), style="not bold")),
                    disabled=True,
                    id=self._NO_MATCHES,
                )
            )
            self._list_visible = True

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
