"""``monespace gap …``: a legal representative designates and removes access managers.

The GAP (gestionnaire d'accès principal) of an organisation hands out its
roles. Only a legal representative may change who the GAPs are; the portal
refuses (403 → exit 3) anyone else and keeps the last GAP (409 → exit 5) so
an organisation is never locked out.
"""

from __future__ import annotations

from monespace_cli.app import noun_app
from monespace_cli.commands._shared import csam as _csam
from monespace_cli.context import current
from monespace_cli.i18n import _
from monespace_cli.output import Column

app = noun_app(_("Access managers (GAPs) of an organisation: list, designate, remove."))


def _columns() -> list[Column]:
    return [
        Column("nrn", _("NRN")),
        Column("name", _("NAME")),
        Column("valid_from", _("FROM")),
        Column("valid_until", _("UNTIL")),
    ]


@app.command("list")
def list_(org: _csam.ORG) -> None:
    """List the organisation's GAPs (legal representatives only)."""
    f = current()
    bce = _csam.bce(org)
    with f.client() as client, _csam.rights():
        gaps = client.list_gaps(bce)
    from monespace_cli.client import Gap
    from monespace_cli.output import fields_of

    f.printer.list(gaps, _columns(), empty=_("The organisation has no GAP."), fields=fields_of(Gap))


@app.command("designate")
def designate(nrn: _csam.NRN_ARG, org: _csam.ORG) -> None:
    """Make a person a GAP of the organisation."""
    f = current()
    bce, person = _csam.bce(org), _csam.nrn(nrn)
    with f.client() as client, _csam.rights():
        gap = client.designate_gap(bce, person)
    if f.printer.human:
        message = _("{name} ({nrn}) is now a GAP of {bce}.")
        f.io.success(message.format(name=gap.get("name", ""), nrn=person, bce=bce))
    else:
        f.printer.object(gap)


@app.command("remove")
def remove(nrn: _csam.NRN_ARG, org: _csam.ORG) -> None:
    """Remove a GAP (the last one cannot be removed)."""
    f = current()
    bce, person = _csam.bce(org), _csam.nrn(nrn)
    with f.client() as client, _csam.rights():
        client.remove_gap(bce, person)
    f.io.success(_("{nrn} is no longer a GAP of {bce}.").format(nrn=person, bce=bce))
