"""QR codes for the terminal and as PNG: the one drawing the CLI and the TUI share.

Drawn with half-block characters, light on dark as terminals usually are,
with a quiet zone; saved as PNG through ``pypng`` (pure Python, no Pillow).
Error correction M, as EPC069-12 asks for payment codes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any


def _qr(payload: str, *, compact: bool = False) -> Any:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M

    if compact:  # a screen-read address, not a printed payment: level L, thin quiet zone
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_L, border=1)
    else:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)  # EPC069-12: level M
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return code


def qr_text(payload: str, *, compact: bool = False) -> str:
    """The QR code as text (half blocks), inverted for a dark terminal.

    ``compact``: the smallest code a phone still reads from a screen (error
    correction L, one-module quiet zone), for an 80×24 terminal's login screen.
    """
    out = io.StringIO()
    _qr(payload, compact=compact).print_ascii(out=out, invert=True)
    return out.getvalue().rstrip("\n")


def save_qr_png(payload: str, path: Path) -> None:
    """Write the QR code as a PNG (pypng backend)."""
    from qrcode.image.pure import PyPNGImage

    image = _qr(payload).make_image(image_factory=PyPNGImage)
    with path.open("wb") as handle:
        image.save(handle)
