"""The header of every screen: who is logged in, for whom they act, and the live link.

The context switcher lives here so that it is always visible:
a compact ``Select`` of the contexts of ``GET /me`` (me, my organisations,
clients through mandates). Choosing one asks the app to switch
(:meth:`tui.app.MonespaceApp.switch_context`); the bar itself holds no
state — :meth:`ContextBar.sync` redraws it from the app, which calls it
whenever the contexts, the acting context or the link change.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import Label, Select

from monespace_cli.i18n import _
from tui.format import context_label


class ContextBar(Horizontal):
    """Title, context switcher, link indicator — one line at the top."""

    DEFAULT_CSS = """
    ContextBar {
        height: 1;
        dock: top;
        background: $panel;
    }
    ContextBar #bar-title { width: auto; padding: 0 1; text-style: bold; color: $accent; }
    ContextBar #bar-context { width: 1fr; }
    ContextBar #bar-link { width: auto; padding: 0 1; }
    ContextBar #bar-link.-offline { color: $error; text-style: bold; }
    ContextBar #bar-link.-online { color: $success; }
    """

    def __init__(self, title: str = "") -> None:
        super().__init__()
        self._title = title
        self._syncing = False

    def compose(self) -> ComposeResult:
        yield Label(_("Mon Espace") + (f" · {self._title}" if self._title else ""), id="bar-title")
        select: Select[str] = Select([], prompt=_("Acting as…"), compact=True, id="bar-context")
        select.can_focus = True
        yield select
        yield Label("", id="bar-link")

    def on_mount(self) -> None:
        self.call_after_refresh(self._sync_now)

    @property
    def host(self) -> Any:
        """The app, read leniently: the form and roles screens also run in small
        test hosts that have no contexts, live link or settings (an empty bar)."""
        return self.app

    def sync(self) -> None:
        """Redraw from the app: contexts, the acting one, the link state.

        Deferred to after the next refresh: the app calls this for every
        screen on the stack, including one that is still being mounted.
        """
        if self.is_attached:
            self.call_after_refresh(self._sync_now)

    def _sync_now(self) -> None:
        found = self.query("#bar-context")
        if not self.is_mounted or not found:
            # Not composed yet, or already taken down (its screen is being
            # replaced, e.g. back to login after a refused session).
            return
        select = found.first(Select)
        contexts: list[dict[str, Any]] = getattr(self.host, "contexts", list)()
        acting_as = str(getattr(self.host, "acting_as", "me"))
        options = [(context_label(c), str(c.get("id"))) for c in contexts]
        if not any(value == acting_as for _label, value in options):
            options.append((acting_as if acting_as != "me" else _("Me"), acting_as))
        self._syncing = True
        try:
            select.set_options(options)
            select.value = acting_as
        except NoMatches:  # the select's own parts are not mounted yet: a moment later
            self.set_timer(0.05, self._sync_now)
            return
        finally:
            self.call_after_refresh(self._done_syncing)
        self._sync_link()

    def _done_syncing(self) -> None:
        self._syncing = False

    def _sync_link(self) -> None:
        found = self.query("#bar-link")
        if not found:
            return
        link = found.first(Label)
        online = getattr(self.host, "online", None)
        live = getattr(getattr(self.host, "settings", None), "live", False)
        link.set_class(online is False, "-offline")
        link.set_class(online is True, "-online")
        if not live or online is None:
            link.update("")
        elif online:
            link.update("● " + _("live"))
        else:
            link.update("○ " + _("disconnected"))

    def open(self) -> None:
        """Focus the switcher and unfold its list (``ctrl+o``)."""
        select = self.query_one("#bar-context", Select)
        select.focus()
        select.action_show_overlay()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self._syncing or event.value is Select.NULL:
            return
        value = str(event.value)
        if value != getattr(self.host, "acting_as", None):
            self.host.switch_context(value)
