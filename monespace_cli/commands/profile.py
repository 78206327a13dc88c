"""``monespace profile add|list|use|remove``: the portals you work with.

A profile is a name, a portal URL, a default acting context and optionally a
default output format (see :mod:`monespace_cli.config`). The default profile
``sandbox`` points at the local sandbox portal.
"""

from __future__ import annotations

from typing import Annotated

import typer

from monespace_cli.app import noun_app
from monespace_cli.config import (
    DEFAULT_PROFILE,
    OUTPUT_FORMATS,
    Profile,
    check_context,
    check_profile_name,
    normalise_portal_url,
)
from monespace_cli.context import current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _
from monespace_cli.output import Column

app = noun_app(_("Manage the portals you use (named profiles)."))


@app.command("add")
def add(
    name: Annotated[
        str, typer.Argument(help=_("Profile name (letters, digits, - and _)."), metavar="NAME")
    ],
    url: Annotated[
        str, typer.Argument(help=_("Portal URL, e.g. https://monespace.example."), metavar="URL")
    ],
    context: Annotated[
        str,
        typer.Option(
            "--context", help=_("Default acting context: me or a BCE number."), metavar="BCE|me"
        ),
    ] = "me",
    output: Annotated[
        str | None,
        typer.Option("--default-output", help=_("Default output format."), metavar="FORMAT"),
    ] = None,
    use: Annotated[bool, typer.Option("--use", help=_("Make it the current profile."))] = False,
) -> None:
    """Add a profile, or change the URL of an existing one."""
    f = current()
    check_profile_name(name)
    portal = normalise_portal_url(url)
    if output is not None and output not in OUTPUT_FORMATS:
        raise UsageProblem(
            _("Unknown output format {fmt!r}: use one of {formats}.").format(
                fmt=output, formats=", ".join(OUTPUT_FORMATS)
            )
        )
    config = f.config
    previous = config.profiles.get(name)
    if previous is not None and previous.portal != portal:
        # The old portal's token must never be offered to the new one.
        f.tokens.delete(name, previous.portal)
    config.profiles[name] = Profile(
        name=name, portal=portal, context=check_context(context), output=output
    )
    if use:
        config.current_profile = name
    f.save_config()
    message = (
        _("Profile {name} saved ({portal}).") if previous else _("Profile {name} added ({portal}).")
    )
    f.io.success(message.format(name=name, portal=portal))


@app.command("list")
def list_() -> None:
    """List the profiles; the current one is marked."""
    f = current()
    config = f.config
    active = f.profile.name
    rows = [
        {
            "name": p.name,
            "portal": p.portal,
            "context": p.context,
            "output": p.output,
            "current": p.name == active,
        }
        for p in config.profiles.values()
    ]
    f.printer.list(
        rows,
        [
            Column("current", " ", lambda v: "*" if v else ""),
            Column("name", _("NAME")),
            Column("portal", _("PORTAL")),
            Column("context", _("CONTEXT")),
        ],
        empty=_("No profiles: add one with monespace profile add NAME URL."),
    )


@app.command("use")
def use(
    name: Annotated[str, typer.Argument(help=_("Profile to make current."), metavar="NAME")],
) -> None:
    """Make a profile the current one."""
    f = current()
    profile = f.config.profile(name)
    f.config.current_profile = profile.name
    f.save_config()
    f.io.success(_("Now using profile {name} ({portal}).").format(name=name, portal=profile.portal))


@app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help=_("Profile to remove."), metavar="NAME")],
) -> None:
    """Remove a profile and forget its token."""
    f = current()
    profile = f.config.profile(name)
    f.tokens.delete(profile.name, profile.portal)
    del f.config.profiles[name]
    if f.config.current_profile == name:
        f.config.current_profile = next(iter(f.config.profiles), DEFAULT_PROFILE)
    f.save_config()
    f.io.success(_("Profile {name} removed.").format(name=name))
