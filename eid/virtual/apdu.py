"""Command APDU parsing, status words and the PIN block, as the emulator sees them.

Short APDUs only (the BELPIC applet is T=0 and never takes extended
lengths). A 5-byte command is ambiguous between "Le only" and "Lc = 0"; the
parser returns it as Le, and case-3 commands (VERIFY) read it as empty data,
which is how the applet manuals describe VERIFY with Lc=0.
"""

from __future__ import annotations

from dataclasses import dataclass

# Status words (applet 1.7 / 1.8 reference manuals, "Status bytes" tables).
SW_OK = 0x9000
SW_MORE_DATA = 0x6100  # | remaining length (00 = 256)
SW_WRONG_PIN = 0x63C0  # | tries left
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_PIN_BLOCKED = 0x6983
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_NO_CURRENT_EF = 0x6986
SW_WRONG_DATA = 0x6A80
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83
SW_WRONG_P1P2_SELECT = 0x6A86
SW_LC_INCONSISTENT = 0x6A87
SW_REFERENCE_NOT_FOUND = 0x6A88
SW_WRONG_P1P2 = 0x6B00
SW_WRONG_LE = 0x6C00  # | exact length
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00


class MalformedApdu(ValueError):
    """The bytes are not a short command APDU (answered with 6700)."""


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed short command APDU."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None  # None = absent; 0 in the APDU becomes 256

    @classmethod
    def parse(cls, apdu: bytes) -> Command:
        """Split header, Lc/data and Le (ISO 7816-4 short cases 1 to 4)."""
        if len(apdu) < 4:
            raise MalformedApdu("shorter than a header")
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        if not body:
            return cls(cla, ins, p1, p2, b"", None)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, b"", body[0] or 256)
        lc = body[0]
        if lc == 0:
            raise MalformedApdu("extended length APDUs are not supported")
        if len(body) == 1 + lc:
            return cls(cla, ins, p1, p2, bytes(body[1:]), None)
        if len(body) == 2 + lc:
            return cls(cla, ins, p1, p2, bytes(body[1 : 1 + lc]), body[-1] or 256)
        raise MalformedApdu("Lc does not match the data length")


def respond(sw: int, data: bytes = b"") -> bytes:
    """A response APDU: data followed by SW1 SW2."""
    return data + sw.to_bytes(2, "big")


def pin_block(pin: str) -> bytes:
    """The format-2 PIN block: 0x2, length nibble, BCD digits, 'F' padding (8 bytes)."""
    if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 12):
        raise ValueError("a PIN is 4 to 12 digits")
    nibbles = "2" + format(len(pin), "X") + pin
    return bytes.fromhex(nibbles.ljust(16, "F"))


def is_valid_pin_block(block: bytes) -> bool:
    """Whether ``block`` is a well-formed format-2 PIN block (manual §3.2)."""
    if len(block) != 8:
        return False
    nibbles = block.hex().upper()
    if nibbles[0] != "2":
        return False
    length = int(nibbles[1], 16)
    if not 4 <= length <= 12:
        return False
    digits, padding = nibbles[2 : 2 + length], nibbles[2 + length :]
    return digits.isdigit() and set(padding) <= {"F"}
