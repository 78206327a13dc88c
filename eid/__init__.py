"""Belgian eID (BELPIC applet 1.7 / 1.8) reader library.

Importing ``eid`` is cheap: pyscard and ``cryptography`` load only when a
function that needs them is first used (``eid.open_card``…), so the CLI's
``--help`` and the portal's pure helpers never pay for them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eid.card import EidCard
    from eid.errors import (
        CardDataInvalid,
        CardRemoved,
        EidError,
        InvalidPinFormat,
        LastTryRefused,
        NoCard,
        NoReader,
        NotAnEid,
        PcscUnavailable,
        PinBlocked,
        PinpadCancelled,
        PinpadUnavailable,
        UnsupportedApplet,
        WrongPin,
    )
    from eid.models import (
        Address,
        CardData,
        Certificates,
        Identity,
        IntegrityReport,
        ReaderInfo,
    )
    from eid.pcsc import list_readers
    from eid.session import open_card

_EXPORTS = {
    "EidCard": "eid.card",
    "open_card": "eid.session",
    "list_readers": "eid.pcsc",
    "ReaderInfo": "eid.models",
    "CardData": "eid.models",
    "Identity": "eid.models",
    "Address": "eid.models",
    "Certificates": "eid.models",
    "IntegrityReport": "eid.models",
    "EidError": "eid.errors",
    "PcscUnavailable": "eid.errors",
    "NoReader": "eid.errors",
    "NoCard": "eid.errors",
    "NotAnEid": "eid.errors",
    "CardRemoved": "eid.errors",
    "WrongPin": "eid.errors",
    "PinBlocked": "eid.errors",
    "PinpadCancelled": "eid.errors",
    "PinpadUnavailable": "eid.errors",
    "InvalidPinFormat": "eid.errors",
    "LastTryRefused": "eid.errors",
    "UnsupportedApplet": "eid.errors",
    "CardDataInvalid": "eid.errors",
}

__all__ = [
    "Address",
    "CardData",
    "CardDataInvalid",
    "CardRemoved",
    "Certificates",
    "EidCard",
    "EidError",
    "Identity",
    "IntegrityReport",
    "InvalidPinFormat",
    "LastTryRefused",
    "NoCard",
    "NoReader",
    "NotAnEid",
    "PcscUnavailable",
    "PinBlocked",
    "PinpadCancelled",
    "PinpadUnavailable",
    "ReaderInfo",
    "UnsupportedApplet",
    "WrongPin",
    "list_readers",
    "open_card",
]


def __getattr__(name: str) -> Any:
    """Load public names on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'eid' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
