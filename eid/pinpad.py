"""PIN pad readers: feature discovery and the PC/SC part 10 verify and modify structures.

With a PIN pad the PIN is typed on the reader and never reaches the
computer. The reader advertises FEATURE_VERIFY_PIN_DIRECT (and, to change
the PIN, FEATURE_MODIFY_PIN_DIRECT) in its answer to
CM_IOCTL_GET_FEATURE_REQUEST; we then send a PIN_VERIFY_STRUCTURE or
PIN_MODIFY_STRUCTURE holding a VERIFY or CHANGE REFERENCE DATA APDU
template which the reader completes with the typed digits, in the BELPIC
format-2 block (nibbles 2, length, BCD digits, F padding): one block for
VERIFY, the old then the new block for CHANGE REFERENCE DATA.
"""

from __future__ import annotations

import struct
from typing import Any

#: PC/SC part 10 feature tags.
FEATURE_VERIFY_PIN_DIRECT = 0x06
FEATURE_MODIFY_PIN_DIRECT = 0x07
#: SCARD_CTL_CODE(3400) as pcsc-lite defines it (0x42000000 + code).
CM_IOCTL_GET_FEATURE_REQUEST = 0x42000000 + 3400

# bmFormatString: units = bytes (0x80), PIN starts at byte 1 of the block
# (1 << 3), left justified, BCD (0x01).
_FORMAT_STRING = 0x80 | (1 << 3) | 0x01
# bmPINBlockString: PIN length field is 4 bits wide; block is 8 bytes.
_PIN_BLOCK_STRING = (4 << 4) | 8
# bmPINLengthFormat: units = bits, length nibble at bit 4 of the block.
_PIN_LENGTH_FORMAT = 0x04
_MIN_DIGITS, _MAX_DIGITS = 4, 12
_VALIDATE_ON_OK_KEY = 0x02
_LANG_EN_US = 0x0409


def parse_features(answer: bytes) -> dict[int, int]:
    """{feature tag: ioctl code} from a GET_FEATURE_REQUEST answer (TLV, 4-byte BE)."""
    result: dict[int, int] = {}
    pos = 0
    while pos + 2 <= len(answer):
        tag, length = answer[pos], answer[pos + 1]
        value = answer[pos + 2 : pos + 2 + length]
        if length == 4 and len(value) == 4:
            result[tag] = int.from_bytes(value, "big")
        pos += 2 + length
    return result


def reader_features(connection: Any) -> dict[int, int]:
    """Features of the reader behind ``connection``; {} when it has none."""
    try:
        answer = bytes(connection.control(CM_IOCTL_GET_FEATURE_REQUEST, []))
    except Exception:  # noqa: BLE001 - readers without features answer with an error
        return {}
    return parse_features(answer)


def pinpad_verify_command(timeout: int = 30) -> bytes:
    """PIN_VERIFY_STRUCTURE (little-endian fields) for VERIFY PIN 01."""
    apdu = bytes([0x00, 0x20, 0x00, 0x01, 0x08, 0x20]) + b"\xff" * 7
    header = struct.pack(
        "<BBBBBHBBHB3sI",
        timeout,  # bTimerOut
        timeout,  # bTimerOut2
        _FORMAT_STRING,
        _PIN_BLOCK_STRING,
        _PIN_LENGTH_FORMAT,
        (_MIN_DIGITS << 8) | _MAX_DIGITS,  # wPINMaxExtraDigit = 0xXXYY (min, max)
        _VALIDATE_ON_OK_KEY,  # bEntryValidationCondition
        0x01,  # bNumberMessage
        _LANG_EN_US,  # wLangId
        0x00,  # bMsgIndex
        b"\x00\x00\x00",  # bTeoPrologue
        len(apdu),  # ulDataLength
    )
    return header + apdu


#: bConfirmPIN: ask the new PIN twice (bit 0) and ask the current PIN (bit 1).
_CONFIRM_NEW_AND_ASK_CURRENT = 0x03
#: PC/SC part 10 answers of a PIN pad that did not reach the card.
SW_PINPAD_TIMEOUT = 0x6400
SW_PINPAD_CANCELLED = 0x6401
SW_PINPAD_MISMATCH = 0x6402


def pinpad_modify_command(timeout: int = 30) -> bytes:
    """PIN_MODIFY_STRUCTURE (little-endian fields) for CHANGE REFERENCE DATA PIN 01.

    The old PIN goes in the first 8-byte block (offset 0), the new one in
    the second (offset 8); the reader asks the current PIN, then the new
    one twice and answers 6402 itself when the two new ones differ.
    """
    block = bytes([0x20]) + b"\xff" * 7
    apdu = bytes([0x00, 0x24, 0x00, 0x01, 0x10]) + block + block
    header = struct.pack(
        "<BBBBBBBHBBBHBBB3sI",
        timeout,  # bTimerOut
        timeout,  # bTimerOut2
        _FORMAT_STRING,
        _PIN_BLOCK_STRING,
        _PIN_LENGTH_FORMAT,
        0x00,  # bInsertionOffsetOld (bytes, in the APDU data)
        0x08,  # bInsertionOffsetNew
        (_MIN_DIGITS << 8) | _MAX_DIGITS,  # wPINMaxExtraDigit
        _CONFIRM_NEW_AND_ASK_CURRENT,  # bConfirmPIN
        _VALIDATE_ON_OK_KEY,  # bEntryValidationCondition
        0x03,  # bNumberMessage: current, new, confirm
        _LANG_EN_US,  # wLangId
        0x00,  # bMsgIndex1
        0x01,  # bMsgIndex2
        0x02,  # bMsgIndex3
        b"\x00\x00\x00",  # bTeoPrologue
        len(apdu),  # ulDataLength
    )
    return header + apdu
