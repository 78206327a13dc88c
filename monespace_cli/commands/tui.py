"""``monespace tui``: the full-screen terminal app, on the current profile.

Textual is imported only when the command runs (``monespace --help`` stays
light). The app gets everything from the Factory here — portal URL, stored
token (or none: it starts on the login screen), acting context, and how to
keep or forget a new token (the same credentials store as ``auth login``) —
and reads no environment or config itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from monespace_cli.app import noun_app
from monespace_cli.context import Factory, current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _

if TYPE_CHECKING:
    from tui.app import TuiSettings

app = noun_app(
    _("The full-screen terminal app (dashboard, catalogue, dossiers, roles)."),
    no_args_is_help=False,
)


def settings_from(f: Factory, reader: str | None, live: bool, agent: bool = False) -> TuiSettings:
    """The app's settings for the active profile."""
    from tui.app import TuiSettings

    stored = f.stored_token()
    profile, url = f.profile.name, f.portal_url

    def save_token(token: str) -> None:
        f.tokens.save(profile, url, token)

    def forget_token() -> None:
        f.tokens.delete(profile, url)

    return TuiSettings(
        portal_url=url,
        token=stored.token if stored else None,
        acting_as=f.acting_as,
        reader=reader,
        save_token=save_token,
        forget_token=forget_token,
        live=live,
        start_agent=agent,
    )


@app.command("tui")
def tui(
    reader: Annotated[
        str | None,
        typer.Option(
            "--reader", help=_("Card reader to use (see monespace eid readers)."), metavar="NAME"
        ),
    ] = None,
    no_live: Annotated[
        bool, typer.Option("--no-live", help=_("Do not follow the portal's event stream."))
    ] = False,
    agent: Annotated[
        bool,
        typer.Option("--agent", help=_("Open the back-office queue (agents) after login.")),
    ] = False,
) -> None:
    """Open the full-screen app: log in with your eID, follow and file your dossiers."""
    f = current()
    if not (f.io.stdin_tty and f.io.stdout_tty):
        raise UsageProblem(_("monespace tui needs an interactive terminal."))
    from tui.app import run

    run(settings_from(f, reader, live=not no_live, agent=agent))
