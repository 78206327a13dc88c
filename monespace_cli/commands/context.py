"""``monespace context list|use``: on whose behalf you act.

A session belongs to a person; each request says for whom it acts
(``X-Acting-As``). ``context use`` saves the choice in the profile; the global
``--as`` overrides it for one command. The portal decides what is allowed —
the list comes from ``GET /me``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from monespace_cli.app import noun_app
from monespace_cli.config import check_context
from monespace_cli.context import current
from monespace_cli.errors import AuthProblem
from monespace_cli.i18n import _
from monespace_cli.output import Column

app = noun_app(_("Choose on whose behalf you act (yourself or an organisation)."))


@app.command("list")
def list_() -> None:
    """The contexts you may act in; the current one is marked."""
    f = current()
    with f.client() as client:
        me = client.me()
    from monespace_cli.client._models import Context
    from monespace_cli.output import fields_of

    active = f.acting_as
    rows = [{**ctx, "current": ctx.get("id") == active} for ctx in me.get("contexts", [])]
    f.printer.list(
        rows,
        [
            Column("current", " ", lambda v: "*" if v else ""),
            Column("id", _("ID")),
            Column("kind", _("KIND")),
            Column("name", _("NAME")),
            Column("via", _("VIA")),
            Column("domains", _("DOMAINS")),
        ],
        empty=_("No context available."),
        fields=["current", *fields_of(Context)],
    )


@app.command("use")
def use(
    context: Annotated[
        str, typer.Argument(help=_("'me' or an enterprise (BCE) number."), metavar="BCE|me")
    ],
) -> None:
    """Act in this context from now on (saved in the profile)."""
    f = current()
    wanted = check_context(context)
    with f.client() as client:
        me = client.me()
    known = {str(ctx.get("id")): ctx for ctx in me.get("contexts", [])}
    if wanted not in known:
        raise AuthProblem(
            _("You cannot act for {context}.").format(context=wanted),
            hint=_("See the contexts you may use with: monespace context list"),
        )
    profile = f.config.profile(f.profile.name)
    profile.context = wanted
    f.save_config()
    f.io.success(
        _("Now acting as {context} ({name}) in profile {profile}.").format(
            context=wanted, name=known[wanted].get("name", ""), profile=profile.name
        )
    )
