"""The APDU layer's ISO 7816 mechanics on a scripted card.

The virtual card exercises the common paths (6Cxx at the end of every file,
61xx after PSO); this scripted card covers the rarer answers real cards
give: a 6Cxx to GET RESPONSE, an endless 61xx chain, 6B00 at offset 0, and
pyscard transport failures.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from eid.apdu import CardChannel
from eid.errors import CardCommunicationError, CardRemoved, PinBlocked, SecurityStatusNotSatisfied


class ScriptedCard:
    """Answers each APDU with ``respond(apdu)``; records what it was sent."""

    def __init__(self, respond: Callable[[bytes], bytes]) -> None:
        self.respond = respond
        self.sent: list[bytes] = []

    def transmit(self, command: list[int], protocol: object = None) -> tuple[list[int], int, int]:
        apdu = bytes(command)
        self.sent.append(apdu)
        answer = self.respond(apdu)
        return list(answer[:-2]), answer[-2], answer[-1]

    def getATR(self) -> list[int]:
        return [0x3B, 0x00]

    def getReader(self) -> str:
        return "scripted"

    def control(self, code: int, command: list[int] | None = None) -> list[int]:
        return []

    def disconnect(self) -> None:
        pass


def test_get_response_chain_with_6c() -> None:
    def respond(apdu: bytes) -> bytes:
        if apdu[1] == 0x2A:
            return b"\x61\x10"
        if apdu[:4] == b"\x00\xc0\x00\x00" and apdu[4] == 0x10:
            return b"\x6c\x08"  # the card changed its mind: only 8 bytes
        if apdu[:4] == b"\x00\xc0\x00\x00" and apdu[4] == 0x08:
            return b"A" * 8 + b"\x90\x00"
        raise AssertionError(apdu.hex())

    card = ScriptedCard(respond)
    data, sw = CardChannel(card).transmit(bytes.fromhex("002A9E9A0100"))
    assert (data, sw) == (b"A" * 8, 0x9000)
    assert len(card.sent) == 3


def test_endless_chain_is_an_error() -> None:
    channel = CardChannel(ScriptedCard(lambda apdu: b"x\x61\x01"))
    with pytest.raises(CardCommunicationError, match="endless"):
        channel.transmit(b"\x00\x2a\x9e\x9a\x00")


def test_read_binary_6c_and_6b00() -> None:
    content = bytes(range(256)) * 2 + b"tail"

    def respond(apdu: bytes) -> bytes:
        offset, le = (apdu[2] << 8) | apdu[3], apdu[4] or 256
        if offset >= len(content):
            return b"\x6b\x00"
        if offset + le > len(content):
            return bytes([0x6C, len(content) - offset])
        return content[offset : offset + le] + b"\x90\x00"

    assert CardChannel(ScriptedCard(respond)).read_binary() == content
    assert CardChannel(ScriptedCard(lambda apdu: b"\x6b\x00")).read_binary() == b""


def test_read_binary_exact_multiple_stops_on_6b00() -> None:
    content = b"z" * 0xF8 * 2

    def respond(apdu: bytes) -> bytes:
        offset = (apdu[2] << 8) | apdu[3]
        if offset >= len(content):
            return b"\x6b\x00"
        return content[offset : offset + apdu[4]] + b"\x90\x00"

    card = ScriptedCard(respond)
    assert CardChannel(card).read_binary() == content
    assert len(card.sent) == 3


@pytest.mark.parametrize(
    ("sw", "error"),
    [
        (b"\x69\x82", SecurityStatusNotSatisfied),
        (b"\x69\x83", PinBlocked),
        (b"\x6a\x82", CardCommunicationError),
    ],
)
def test_status_words_become_typed_errors(sw: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        CardChannel(ScriptedCard(lambda apdu: sw)).command(b"\x00\xa4\x08\x0c\x00", "select")


def test_transport_failure_mapping() -> None:
    from smartcard.Exceptions import CardConnectionException

    def removed(apdu: bytes) -> bytes:
        raise CardConnectionException("Failed to transmit", hresult=0x80100069)

    def other(apdu: bytes) -> bytes:
        raise CardConnectionException("Failed to transmit: strange", hresult=0x80100001)

    with pytest.raises(CardRemoved):
        CardChannel(ScriptedCard(removed)).transmit(b"\x00\xb0\x00\x00\x10")
    with pytest.raises(CardCommunicationError, match="strange"):
        CardChannel(ScriptedCard(other)).transmit(b"\x00\xb0\x00\x00\x10")
