"""``dossier submit`` and ``dossier withdraw``: the two steps that end a draft's life.

``submit`` sends an idempotency key (a retry after a lost answer submits
nothing twice) and prints what the person must do next: the acknowledgement
of receipt filed in their vault and the payment to make, if any.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from monespace_cli.commands._shared.arguments import DOSSIER_ID
from monespace_cli.commands._shared.dossier_view import render_dossier
from monespace_cli.commands._shared.verbs import verb_group
from monespace_cli.commands.dossier.options import new_key, retry_hint
from monespace_cli.context import current
from monespace_cli.errors import UsageProblem
from monespace_cli.forms import display_amount, display_iban
from monespace_cli.i18n import _

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient

verbs = verb_group()


@verbs.command("submit")
def submit(
    dossier_id: DOSSIER_ID,
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            help=_("Reuse the key of an interrupted submit to retry it safely."),
        ),
    ] = None,
) -> None:
    """Submit a dossier; prints the receipt and the payment to make, if any."""
    f = current()
    key = idempotency_key or new_key()
    with f.client() as client:
        with retry_hint(["monespace", "dossier", "submit", dossier_id], key):
            dossier = client.submit_dossier(dossier_id, idempotency_key=key)
        receipt = _receipt(client, dossier)
        payment_id = dossier.get("payment_id")
        payment = client.get_payment(payment_id) if payment_id else None
    if not f.printer.human:
        f.printer.object(dossier)
        return
    f.io.success(
        _("Dossier {id} submitted on {at}.").format(
            id=dossier_id, at=dossier.get("submitted_at", "")
        )
    )
    render_dossier(f, {k: v for k, v in dossier.items() if k != "data"})
    if receipt:
        f.printer.text("")
        f.printer.text(
            _(
                "Acknowledgement of receipt: {title} (document {id}) — download it with: "
                "monespace document download {id}"
            ).format(title=receipt.get("title", ""), id=receipt["id"])
        )
    if payment:
        f.printer.text(
            _(
                "To pay: {amount} {currency} to {iban}, communication {ref} "
                "(see: monespace payment show {id})"
            ).format(
                amount=display_amount(payment.get("amount")),
                currency=payment.get("currency"),
                iban=display_iban(payment.get("iban")),
                ref=payment.get("structured_ref"),
                id=payment.get("id"),
            )
        )


def _receipt(client: PortalClient, dossier: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The receipt document filed in the vault on submit (None when the dossier has none).

    A receipt the vault does not show (another context's) is still named by its id.
    """
    from monespace_cli.client import NotFound  # the client's errors load httpx: not on --help

    receipt_id = dossier.get("receipt_document_id")
    if not receipt_id:
        return None
    try:
        return client.get_document(receipt_id)
    except NotFound:
        return {"id": receipt_id}


@verbs.command("withdraw")
def withdraw(dossier_id: DOSSIER_ID) -> None:
    """Withdraw a dossier (from draft, submitted or awaiting complement)."""
    f = current()
    if not f.confirm(_("Withdraw dossier {id}? This cannot be undone.").format(id=dossier_id)):
        raise UsageProblem(_("Not withdrawn."))
    with f.client() as client:
        dossier = client.withdraw_dossier(dossier_id)
    if f.printer.human:
        f.io.success(_("Dossier {id} withdrawn.").format(id=dossier_id))
    else:
        f.printer.object(dossier)
