"""EPC069-12 payloads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.services import epc

TRANSFER = epc.EpcTransfer(
    bic="GKCCBEBB",
    name="SPW Économie Emploi Recherche",
    iban="BE68 5390 0754 7034",
    amount=Decimal("37.1"),
    structured_ref="+++090/9337/55493+++",
)


def test_payload_layout():
    payload = epc.encode(TRANSFER)
    assert payload.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "GKCCBEBB",
        "SPW Économie Emploi Recherche",
        "BE68539007547034",
        "EUR37.10",
        "",
        "090933755493",
    ]
    assert len(payload.encode()) <= 331


def test_round_trip():
    decoded = epc.decode(epc.encode(TRANSFER))
    assert decoded.amount == Decimal("37.10") and decoded.iban == "BE68539007547034"
    assert decoded.structured_ref == "090933755493"


@pytest.mark.parametrize(
    "change",
    [
        {"bic": "GKCC"},
        {"name": ""},
        {"name": "x" * 71},
        {"amount": Decimal("0")},
        {"amount": Decimal("1000000000")},
        {"structured_ref": "123"},
    ],
)
def test_invalid_fields_are_refused(change):
    fields = {**TRANSFER.__dict__, **change}
    with pytest.raises(epc.EpcError):
        epc.encode(epc.EpcTransfer(**fields))


def test_decode_refuses_other_payloads():
    with pytest.raises(epc.EpcError):
        epc.decode("BCD\n001\n1\nSCT\nX\nY\nZ\nEUR1")
