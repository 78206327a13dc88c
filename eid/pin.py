"""PIN handling: format check and the card's PIN block, with no copies kept.

The PIN is checked (4-12 digits) before anything reaches the card, turned
into the 8-byte format-2 block of the applet manuals §3.2 (nibbles: 2, length,
digits, F padding) in a bytearray, and that bytearray is zeroed by the caller
after use. Python strings cannot be wiped, so the block is the only copy we
make; the PIN never appears in an exception, log or repr.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from eid.errors import InvalidPinFormat

PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12
PIN_BLOCK_SIZE = 8


def check_pin_format(pin: str) -> None:
    """Raise InvalidPinFormat unless ``pin`` is 4 to 12 ASCII digits."""
    if not isinstance(pin, str) or not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise InvalidPinFormat()
    if not all("0" <= ch <= "9" for ch in pin):
        raise InvalidPinFormat()


def pin_block(pin: str) -> bytearray:
    """The format-2 PIN block; caller must ``wipe`` it."""
    check_pin_format(pin)
    nibbles = [0x2, len(pin)] + [ord(ch) - 0x30 for ch in pin]
    nibbles += [0xF] * (2 * PIN_BLOCK_SIZE - len(nibbles))
    block = bytearray(PIN_BLOCK_SIZE)
    for i in range(PIN_BLOCK_SIZE):
        block[i] = (nibbles[2 * i] << 4) | nibbles[2 * i + 1]
    nibbles[:] = [0] * len(nibbles)
    return block


def wipe(buffer: bytearray) -> None:
    """Overwrite a buffer that held PIN material."""
    buffer[:] = bytes(len(buffer))


@contextmanager
def pin_blocks(*pins: str) -> Iterator[bytearray]:
    """Yield the concatenated PIN blocks of ``pins``, wiped on exit."""
    for pin in pins:
        check_pin_format(pin)  # all of them before any block exists
    blocks = [pin_block(pin) for pin in pins]
    joined = bytearray().join(blocks)
    try:
        yield joined
    finally:
        wipe(joined)
        for block in blocks:
            wipe(block)
