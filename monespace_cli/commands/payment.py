"""``monespace payment list|show``: fees to pay, with the EPC QR code.

``payment show`` draws the EPC069-12 QR code (the one Belgian banking apps
scan) in the terminal with half-block characters, light on dark as terminals
usually are, with a quiet zone; ``--qr FILE.png`` saves it as an image
(pure-Python PNG through ``pypng``, no Pillow needed).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.context import current
from monespace_cli.forms import display_amount, display_iban
from monespace_cli.i18n import _
from monespace_cli.output import Column
from monespace_cli.qr import qr_text, save_qr_png

app = noun_app(_("Fees to pay: amount, IBAN, structured communication, QR code."))


def _amount(payment: Mapping[str, Any]) -> str:
    amount = display_amount(payment.get("amount"))
    return f"{amount} {payment.get('currency') or ''}".strip()


@app.command("list")
def list_() -> None:
    """Your payments: pending, paid or expired."""
    f = current()
    with f.client() as client:
        payments = list(client.iter_payments())
    columns = [
        Column("id", _("ID")),
        Column("dossier_id", _("DOSSIER")),
        Column("amount", _("AMOUNT")),
        Column("currency", _("CUR")),
        Column("status", _("STATUS")),
        Column("structured_ref", _("COMMUNICATION")),
        Column("created_at", _("CREATED")),
    ]
    from monespace_cli.client import Payment
    from monespace_cli.output import fields_of

    f.printer.list(
        payments, columns, empty=_("No payment."), show_context=True, fields=fields_of(Payment)
    )


@app.command("show")
def show(
    payment_id: Annotated[
        str, typer.Argument(help=_("Payment id (see: monespace payment list)."), metavar="ID")
    ],
    qr: Annotated[
        Path | None,
        typer.Option("--qr", help=_("Save the QR code as a PNG file."), metavar="FILE.png"),
    ] = None,
    no_qr: Annotated[bool, typer.Option("--no-qr", help=_("Do not draw the QR code."))] = False,
) -> None:
    """A payment: amount, IBAN, structured communication and the QR code to scan."""
    f = current()
    with f.client() as client:
        payment: Mapping[str, Any] = client.get_payment(payment_id)
    payload = str(payment.get("epc_qr") or "")
    if qr is not None:
        if not payload:
            from monespace_cli.errors import CliError

            raise CliError(
                _("The portal sent no QR payload for payment {id}.").format(id=payment_id)
            )
        save_qr_png(payload, qr)
        f.io.success(_("QR code saved to {path}.").format(path=qr))
    if not f.printer.human:
        f.printer.object(payment)
        return
    fields = [
        Column("id", _("Payment")),
        Column("dossier_id", _("Dossier")),
        Column("amount", _("Amount"), lambda _v: _amount(payment)),
        Column("beneficiary", _("Beneficiary")),
        Column("iban", _("IBAN"), display_iban),
        Column("bic", _("BIC")),
        Column("structured_ref", _("Communication")),
        Column("status", _("Status")),
        Column("paid_at", _("Paid on")),
    ]
    f.printer.object(payment, [c for c in fields if payment.get(c.key) not in (None, "")])
    if payload and not no_qr and payment.get("status") == "pending":
        f.printer.text("")
        f.printer.text(qr_text(payload))
        f.io.info(_("Scan the code with your banking app (EPC QR)."))
