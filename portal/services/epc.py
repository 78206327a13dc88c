"""The EPC QR code payload (EPC069-12 "Quick Response Code", version 002).

Why this format: every Belgian banking app scans it to fill a SEPA credit
transfer, so the citizen pays the exact amount to the right IBAN with the
right structured communication without typing 35 characters.

Layout (one field a line, LF separated, trailing empty fields omitted):

    BCD | 002 | 1 (UTF-8) | SCT | BIC | name | IBAN | EUR<amount> |
    purpose | structured remittance | unstructured remittance | info

The Belgian structured communication goes into the *structured* remittance
field as its 12 digits (no `+++`/slashes), the form Belgian banks expect
there; the unstructured field stays empty (the standard allows only one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

SERVICE_TAG = "BCD"
VERSION = "002"
CHARSET_UTF8 = "1"
IDENTIFICATION = "SCT"
MAX_PAYLOAD_BYTES = 331
MAX_NAME = 70
MAX_AMOUNT = Decimal("999999999.99")


class EpcError(ValueError):
    """The payment cannot be expressed as an EPC QR payload."""


@dataclass(frozen=True)
class EpcTransfer:
    """The fields of a credit transfer as carried in the QR code."""

    bic: str
    name: str
    iban: str
    amount: Decimal
    structured_ref: str  # 12 digits


def _digits_of_ref(reference: str) -> str:
    digits = re.sub(r"[^0-9]", "", reference)
    if len(digits) != 12:
        raise EpcError("a Belgian structured communication has 12 digits")
    return digits


def encode(transfer: EpcTransfer) -> str:
    """Return the payload text; raise EpcError if a field breaks the standard."""
    bic = transfer.bic.replace(" ", "").upper()
    iban = transfer.iban.replace(" ", "").upper()
    if len(bic) not in (8, 11):
        raise EpcError("a BIC has 8 or 11 characters")
    if not 1 <= len(transfer.name) <= MAX_NAME or "\n" in transfer.name:
        raise EpcError("the beneficiary name must be one line of 1 to 70 characters")
    if not Decimal("0.01") <= transfer.amount <= MAX_AMOUNT:
        raise EpcError("the amount must be between 0.01 and 999999999.99 EUR")
    amount = transfer.amount.quantize(Decimal("0.01"))
    lines = [
        SERVICE_TAG,
        VERSION,
        CHARSET_UTF8,
        IDENTIFICATION,
        bic,
        transfer.name,
        iban,
        f"EUR{amount}",
        "",  # purpose code: none
        _digits_of_ref(transfer.structured_ref),
    ]
    payload = "\n".join(lines)
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        raise EpcError("the EPC payload is longer than 331 bytes")
    return payload


def decode(payload: str) -> EpcTransfer:
    """Parse a payload written by `encode` (and by other EPC 002 writers)."""
    lines = payload.replace("\r\n", "\n").split("\n")
    lines += [""] * (12 - len(lines))
    tag, version, charset, ident, bic, name, iban, amount = lines[:8]
    if (tag, version, charset, ident) != (SERVICE_TAG, VERSION, CHARSET_UTF8, IDENTIFICATION):
        raise EpcError("not an EPC 002 UTF-8 SEPA credit transfer payload")
    if not amount.startswith("EUR"):
        raise EpcError("the amount is not in EUR")
    return EpcTransfer(bic, name, iban, Decimal(amount[3:]), lines[9])
