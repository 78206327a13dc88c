"""PIN change typed on a PIN pad reader (FEATURE_MODIFY_PIN_DIRECT).

The simulated reader (eid.virtual.pinpad_reader) builds the CHANGE
REFERENCE DATA APDU from our PIN_MODIFY_STRUCTURE as PC/SC part 10 says;
the virtual card then checks the old block and stores the new one, so a
wrong structure shows up as a wrong PIN or an unusable new PIN.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest

import eid
from eid.errors import LastTryRefused, PinpadCancelled, PinpadUnavailable, WrongPin
from eid.pinpad import pinpad_modify_command
from eid.virtual import VirtualCard
from eid.virtual.pinpad_reader import PinpadReader


def test_modify_structure_fields() -> None:
    structure = pinpad_modify_command(timeout=20)
    assert len(structure) == 24 + 21
    assert structure[0] == structure[1] == 20
    assert structure[5:7] == bytes([0, 8])  # old block at 0, new block at 8
    assert structure[9] == 0x03  # current PIN asked, new PIN confirmed
    assert struct.unpack("<I", structure[20:24]) == (21,)
    assert structure[24:29] == bytes.fromhex("0024000110")


@pytest.mark.parametrize("new", ["5678", "123456789012"])
def test_change_pin_on_the_keypad(images: dict[str, Any], applet: str, new: str) -> None:
    card_ = VirtualCard(images[applet])
    reader = PinpadReader(card_.connection(), ["1234", new, new])
    with eid.open_card(connection=reader) as card:
        assert card.has_pinpad(modify=True)
        card.change_pin_pinpad()
        assert card.pin_tries_left() == 3
    with eid.open_card(connection=card_.connection()) as card:
        card.verify_pin(new)  # the card really holds the new PIN block
        with pytest.raises(WrongPin):
            card.verify_pin("1234")


def test_wrong_current_pin_mismatch_and_cancel(images: dict[str, Any]) -> None:
    card_ = VirtualCard(images["1.8"])
    reader = PinpadReader(card_.connection())
    with eid.open_card(connection=reader) as card:
        reader.type("9999", "5678", "5678")
        with pytest.raises(WrongPin) as info:
            card.change_pin_pinpad()
        assert info.value.tries_left == 2
        reader.type("1234", "5678", "8765")
        with pytest.raises(PinpadCancelled, match="differ"):
            card.change_pin_pinpad()
        reader.type(None)
        with pytest.raises(PinpadCancelled, match="cancelled"):
            card.change_pin_pinpad()
        assert card.pin_tries_left() == 2  # neither a mismatch nor Cancel costs a try
        reader.type("9999", "5678", "5678")
        with pytest.raises(WrongPin):
            card.change_pin_pinpad()
        with pytest.raises(LastTryRefused):
            card.change_pin_pinpad()


def test_reader_without_modify(images: dict[str, Any]) -> None:
    reader = PinpadReader(VirtualCard(images["1.8"]).connection(), modify=False)
    with eid.open_card(connection=reader) as card:
        assert card.has_pinpad() and not card.has_pinpad(modify=True)
        with pytest.raises(PinpadUnavailable, match="change the PIN"):
            card.change_pin_pinpad()


def test_verify_then_modify_on_one_reader(images: dict[str, Any]) -> None:
    reader = PinpadReader(VirtualCard(images["1.7"]).connection(), ["1234", "1234", "4321", "4321"])
    with eid.open_card(connection=reader) as card:
        card.verify_pin_pinpad()
        card.change_pin_pinpad()
        reader.type("4321")
        card.verify_pin_pinpad()
    assert len(reader.seen) == 3
