"""The virtual Belgian eID card: personalisation, APDU emulator, vpcd bridge.

Used in-process (``VirtualCard(image).connection()`` behaves like a pyscard
connection) or plugged into the real pcscd through vsmartcard's vpcd
(:func:`eid.virtual.vpcd.run_virtual_card`). Nothing here imports pyscard
until a pyscard exception has to be raised.
"""

from eid.virtual.card import APPLET_AID, NonEidCard, VirtualCard
from eid.virtual.cardholder import CardholderData
from eid.virtual.connection import CardRemovedError, VirtualCardConnection
from eid.virtual.image import CardImage
from eid.virtual.personalise import build_card
from eid.virtual.photo import sandbox_photo

__all__ = [
    "APPLET_AID",
    "CardImage",
    "CardRemovedError",
    "CardholderData",
    "NonEidCard",
    "VirtualCard",
    "VirtualCardConnection",
    "build_card",
    "sandbox_photo",
]
