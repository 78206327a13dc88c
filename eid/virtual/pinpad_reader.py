"""A simulated PIN pad reader in front of a virtual card (PC/SC part 10).

It advertises FEATURE_VERIFY_PIN_DIRECT and FEATURE_MODIFY_PIN_DIRECT and,
on those ioctls, does what a CCID PIN pad does with the structure it is
given: reads bmFormatString / bmPINBlockString / bmPINLengthFormat (and the
insertion offsets of a PIN_MODIFY_STRUCTURE), writes the digits "typed on
its keypad" into the APDU template accordingly, and sends the APDU to the
card. Nothing is assumed about the BELPIC layout, so a wrong structure puts
a wrong PIN block on the card, as a real reader would.

``typed`` holds the entries the person will type, in order (for a change:
current, new, new again); ``None`` as an entry presses Cancel.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Any

from eid.pinpad import (
    CM_IOCTL_GET_FEATURE_REQUEST,
    FEATURE_MODIFY_PIN_DIRECT,
    FEATURE_VERIFY_PIN_DIRECT,
    SW_PINPAD_CANCELLED,
    SW_PINPAD_MISMATCH,
)

VERIFY_IOCTL = 0x42330006
MODIFY_IOCTL = 0x42330007
_VERIFY_HEADER = struct.Struct("<BBBBBHBBHB3sI")  # 19 bytes
_MODIFY_HEADER = struct.Struct("<BBBBBBBHBBBHBBB3sI")  # 24 bytes


class PinpadError(AssertionError):
    """The structure sent to the reader breaks PC/SC part 10 (a bug in the caller)."""


class PinpadReader:
    """A pyscard-like connection with a PIN pad, wrapping another connection."""

    def __init__(
        self, inner: Any, typed: Iterable[str | None] = (), *, modify: bool = True
    ) -> None:
        self.inner = inner
        self.typed: list[str | None] = list(typed)
        self.modify = modify
        self.seen: list[bytes] = []  # structures received, for tests

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def type(self, *entries: str | None) -> None:
        """Queue what the person will type next."""
        self.typed.extend(entries)

    def control(self, code: int, command: list[int] | None = None) -> list[int]:
        """Feature discovery, PIN verify and PIN modify ioctls."""
        if code == CM_IOCTL_GET_FEATURE_REQUEST:
            features = [FEATURE_VERIFY_PIN_DIRECT, 4, *VERIFY_IOCTL.to_bytes(4, "big")]
            if self.modify:
                features += [FEATURE_MODIFY_PIN_DIRECT, 4, *MODIFY_IOCTL.to_bytes(4, "big")]
            return features
        structure = bytes(command or [])
        self.seen.append(structure)
        if code == VERIFY_IOCTL:
            return self._verify(structure)
        if code == MODIFY_IOCTL and self.modify:
            return self._modify(structure)
        answer: list[int] = self.inner.control(code, command)
        return answer

    def _next(self, low: int, high: int) -> str | None:
        if not self.typed:
            raise PinpadError("nothing typed on the PIN pad")
        entry = self.typed.pop(0)
        if entry is not None and not low <= len(entry) <= high:
            raise PinpadError(f"the reader refuses {len(entry)} digits ({low}-{high})")
        return entry

    def _verify(self, structure: bytes) -> list[int]:
        fields = _VERIFY_HEADER.unpack(structure[: _VERIFY_HEADER.size])
        fmt, block, length_fmt, extra = fields[2], fields[3], fields[4], fields[5]
        apdu = bytearray(structure[_VERIFY_HEADER.size :])
        if len(apdu) != fields[-1]:
            raise PinpadError("ulDataLength does not match the APDU")
        pin = self._next(extra >> 8, extra & 0xFF)
        if pin is None:
            return [SW_PINPAD_CANCELLED >> 8, SW_PINPAD_CANCELLED & 0xFF]
        _insert(apdu, 0, pin, fmt, block, length_fmt)
        return self._send(apdu)

    def _modify(self, structure: bytes) -> list[int]:
        fields = _MODIFY_HEADER.unpack(structure[: _MODIFY_HEADER.size])
        fmt, block, length_fmt = fields[2], fields[3], fields[4]
        offset_old, offset_new, extra, confirm = fields[5], fields[6], fields[7], fields[8]
        apdu = bytearray(structure[_MODIFY_HEADER.size :])
        if len(apdu) != fields[-1]:
            raise PinpadError("ulDataLength does not match the APDU")
        low, high = extra >> 8, extra & 0xFF
        old = self._next(low, high) if confirm & 0x02 else ""
        new = self._next(low, high) if old is not None else None
        again = self._next(low, high) if new is not None and confirm & 0x01 else new
        if old is None or new is None or again is None:
            return [SW_PINPAD_CANCELLED >> 8, SW_PINPAD_CANCELLED & 0xFF]
        if again != new:
            return [SW_PINPAD_MISMATCH >> 8, SW_PINPAD_MISMATCH & 0xFF]
        if old:
            _insert(apdu, offset_old, old, fmt, block, length_fmt)
        _insert(apdu, offset_new, new, fmt, block, length_fmt)
        return self._send(apdu)

    def _send(self, apdu: bytearray) -> list[int]:
        data, sw1, sw2 = self.inner.transmit(list(apdu))
        return [*data, sw1, sw2]


def _insert(apdu: bytearray, offset: int, pin: str, fmt: int, block: int, length_fmt: int) -> None:
    """Write ``pin`` into the APDU data at ``offset`` as the format bytes say (BCD only)."""
    if not fmt & 0x80 or fmt & 0x03 != 0x01:
        raise PinpadError("only byte units and BCD are implemented")
    if length_fmt & 0x10:
        raise PinpadError("the PIN length position must be in bits")
    start = 5 + offset  # after the 5-byte APDU header
    if start + (block & 0x0F) > len(apdu):
        raise PinpadError("the PIN block runs past the APDU")
    pin_at = start + ((fmt >> 3) & 0x0F)
    digits = [int(c) for c in pin] + [0xF] * (len(pin) % 2)
    for i in range(0, len(digits), 2):
        apdu[pin_at + i // 2] = (digits[i] << 4) | digits[i + 1]
    if block >> 4:  # a PIN length field exists
        bit = length_fmt & 0x0F
        index, high = start + bit // 8, bit % 8 == 0
        old = apdu[index]
        n = len(pin)
        apdu[index] = (n << 4) | (old & 0x0F) if high else (old & 0xF0) | n
