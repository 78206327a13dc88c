"""``monespace payment list|show``: fees to pay, with the EPC QR code.

``payment show`` draws the EPC069-12 QR code (the one Belgian banking apps
scan) in the terminal with half-block characters, light on dark as terminals
usually are, with a quiet zone; ``--qr FILE.png`` saves it as an image
(pure-Python PNG through ``pypng``, no Pillow needed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.context import current
from monespace_cli.i18n import _
from monespace_cli.output import Column

app = noun_app(_("Fees to pay: amount, IBAN, structured communication, QR code."))


def _amount(payment: dict[str, Any]) -> str:
    return f"{payment.get('amount', '')} {payment.get('currency', '')}".strip()


def _qr(payload: str) -> Any:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)  # EPC069-12 asks for level M
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return code


def qr_text(payload: str) -> str:
    """The QR code as text (half blocks), inverted for a dark terminal."""
    import io

    out = io.StringIO()
    _qr(payload).print_ascii(out=out, invert=True)
    return out.getvalue().rstrip("\n")


def save_qr_png(payload: str, path: Path) -> None:
    """Write the QR code as a PNG (pypng backend)."""
    from qrcode.image.pure import PyPNGImage

    image = _qr(payload).make_image(image_factory=PyPNGImage)
    with path.open("wb") as handle:
        image.save(handle)


@app.command("list")
def list_() -> None:
    """Your payments: pending, paid or expired."""
    f = current()
    with f.client() as client:
        payments = [dict(p) for p in client.iter_payments()]
    columns = [
        Column("id", _("ID")),
        Column("dossier_id", _("DOSSIER")),
        Column("amount", _("AMOUNT")),
        Column("currency", _("CUR")),
        Column("status", _("STATUS")),
        Column("structured_ref", _("COMMUNICATION")),
        Column("created_at", _("CREATED")),
    ]
    from monespace_cli.client._models import Payment
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
        payment = dict(client.get_payment(payment_id))
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
        Column("iban", _("IBAN")),
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
