"""``monespace mandate …``: mandates between a beneficiary and a mandataire organisation.

A mandate lets an accounting firm (the mandataire) act for a client (the
beneficiary) in some domains. One side proposes, the other side's GAP or
legal representative accepts or refuses; either side may revoke. ``import``
onboards many clients from a CSV file and reports each row
(:mod:`monespace_cli.commands._mandate_import`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from monespace_cli.app import noun_app
from monespace_cli.commands._shared import csam as _csam
from monespace_cli.context import current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _
from monespace_cli.output import Column

app = noun_app(_("Mandates between organisations: propose, accept, refuse, revoke, import."))

STATES = ("proposed", "active", "refused", "revoked", "expired")
MANDATE_ID = Annotated[str, typer.Argument(help=_("The mandate's ID."), metavar="ID")]


def columns() -> list[Column]:
    return [
        Column("id", _("ID")),
        Column("beneficiary.name", _("BENEFICIARY")),
        Column("mandataire.name", _("MANDATAIRE")),
        Column("domains", _("DOMAINS")),
        Column("valid_from", _("FROM")),
        Column("valid_until", _("UNTIL")),
        Column("state", _("STATE")),
    ]


@app.command("list")
def list_(
    org: Annotated[
        str | None,
        typer.Option("--org", help=_("The organisation (BCE number), either side."), metavar="BCE"),
    ] = None,
    state: Annotated[
        str | None, typer.Option("--state", help=_("Only this state: ") + ", ".join(STATES))
    ] = None,
) -> None:
    """List the mandates where the organisation is either side."""
    if state is not None and state not in STATES:
        message = _("Unknown state {state!r}: use one of {states}.")
        raise UsageProblem(message.format(state=state, states=", ".join(STATES)))
    f = current()
    bce = _csam.bce(org) if org else (None if f.acting_as == "me" else _csam.bce(f.acting_as))
    with f.client() as client, _csam.rights():
        mandates = client.list_mandates(organisation=bce, state=state)
    from monespace_cli.client import Mandate
    from monespace_cli.output import fields_of

    f.printer.list(mandates, columns(), empty=_("No mandate."), fields=fields_of(Mandate))


@app.command("propose")
def propose(
    beneficiary: Annotated[
        str, typer.Option("--beneficiary", help=_("The organisation acted for."), metavar="BCE")
    ],
    mandataire: Annotated[
        str, typer.Option("--mandataire", help=_("The organisation acting."), metavar="BCE")
    ],
    domains: Annotated[
        list[str],
        typer.Option("--domain", help=_("A domain covered (repeat for more)."), metavar="DOMAIN"),
    ],
    valid_from: Annotated[
        str | None, typer.Option("--from", help=_("First day (default: today)."), metavar="DATE")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help=_("Last day."), metavar="DATE")
    ] = None,
) -> None:
    """Propose a mandate; the other side accepts or refuses it."""
    f = current()
    body = {
        "beneficiary": _csam.bce(beneficiary, what="--beneficiary"),
        "mandataire": _csam.bce(mandataire, what="--mandataire"),
        "domains": [_csam.domain(d) for d in domains],
        "valid_from": _csam.day(valid_from, what="--from") or dt.date.today().isoformat(),
        "valid_until": _csam.day(until, what="--until"),
    }
    with f.client() as client, _csam.rights():
        mandate = client.propose_mandate(body)
    if f.printer.human:
        f.io.success(
            _("Mandate {id} proposed; waiting for the other side.").format(id=mandate["id"])
        )
    else:
        f.printer.object(mandate)


def _decide(mandate_id: str, decision: str, done: str) -> None:
    f = current()
    with f.client() as client, _csam.rights():
        mandate = client.decide_mandate(mandate_id, decision)
    if f.printer.human:
        f.io.success(done.format(id=mandate_id, state=mandate.get("state", "")))
    else:
        f.printer.object(mandate)


@app.command("accept")
def accept(mandate_id: MANDATE_ID) -> None:
    """Accept a mandate the other side proposed."""
    _decide(mandate_id, "accept", _("Mandate {id} accepted (now {state})."))


@app.command("refuse")
def refuse(mandate_id: MANDATE_ID) -> None:
    """Refuse a mandate the other side proposed."""
    _decide(mandate_id, "refuse", _("Mandate {id} refused."))


@app.command("revoke")
def revoke(mandate_id: MANDATE_ID) -> None:
    """End a mandate at once (either side)."""
    _decide(mandate_id, "revoke", _("Mandate {id} revoked."))


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help=_("CSV: bce;domains;valid_from;valid_until, one row per beneficiary."),
            metavar="FILE.csv",
        ),
    ],
    mandataire: Annotated[
        str, typer.Option("--mandataire", help=_("Your organisation (BCE number)."), metavar="BCE")
    ],
) -> None:
    """Propose mandates for many beneficiaries; exit 0 all ok, 7 some failed, 5 none."""
    from monespace_cli.commands import _mandate_import

    _mandate_import.run(current(), file, _csam.bce(mandataire, what="--mandataire"))
