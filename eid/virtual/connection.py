"""An in-process stand-in for pyscard's ``CardConnection``.

The reader library talks to a card through the subset of pyscard's
``CardConnection`` it uses: ``connect``, ``disconnect``, ``getATR``,
``transmit``, ``getReader``, ``getProtocol`` and ``control``. This class
offers the same methods on top of the emulator, and raises pyscard's own
exception classes with pyscard's wording when the card is absent or removed,
so the library's error handling is exercised exactly as with a real reader.
"""

from __future__ import annotations

from typing import Any, Protocol

READER_NAME = "monespace Virtual eID (in-process)"
#: SCARD_CTL_CODE(3400) on pcsc-lite: CM_IOCTL_GET_FEATURE_REQUEST.
CM_IOCTL_GET_FEATURE_REQUEST = 0x42000000 + 3400
T0_PROTOCOL = 1  # pyscard's CardConnection.T0_protocol
_REMOVED = "Failed to transmit with protocol T0"


class CardRemovedError(Exception):
    """The (virtual) card left the reader: nothing more can be sent to it.

    Part of the :class:`EmulatedCard` contract (an emulator raises it from
    ``transmit``), so it lives here with the contract rather than with one
    emulator: the connection and the vpcd bridge catch it from any card.
    """


class EmulatedCard(Protocol):
    """What the connection needs from a card emulator."""

    atr: bytes
    present: bool

    def transmit(self, apdu: bytes) -> bytes: ...
    def reset(self) -> None: ...


def _pyscard_error(name: str, message: str, code: str) -> Exception:
    """``smartcard.Exceptions.<name>`` with the PC/SC code ``smartcard.scard.<code>``.

    pyscard formats the message from the code exactly as for a real reader.
    """
    # Only here: the emulator itself must run where libpcsclite is missing.
    from smartcard import Exceptions, scard

    cls = getattr(Exceptions, name)
    error: Exception = cls(message, hresult=getattr(scard, code))
    return error


class VirtualCardConnection:
    """pyscard ``CardConnection`` look-alike for an emulated card."""

    def __init__(self, card: EmulatedCard, reader: str = READER_NAME) -> None:
        self.card = card
        self.reader = reader
        self.connected = False

    def connect(
        self, protocol: int | None = None, mode: Any = None, disposition: Any = None
    ) -> None:
        """Power the card up; raises ``NoCardException`` when there is none."""
        if not self.card.present:
            raise _pyscard_error("NoCardException", "Unable to connect", "SCARD_E_NO_SMARTCARD")
        if not self.connected:
            self.card.reset()
        self.connected = True

    def disconnect(self) -> None:
        """Release the card; pyscard's default disposition powers it down."""
        if self.connected and self.card.present:
            self.card.reset()
        self.connected = False

    def release(self) -> None:
        """pyscard compatibility: same as :meth:`disconnect`."""
        self.disconnect()

    def getReader(self) -> str:
        """The reader name shown to the user."""
        return self.reader

    def getProtocol(self) -> int:
        """T=0, like the real card."""
        return T0_PROTOCOL

    def getATR(self) -> list[int]:
        """The card's ATR as a list of ints."""
        self._check_present()
        return list(self.card.atr)

    def transmit(
        self, command: list[int], protocol: int | None = None
    ) -> tuple[list[int], int, int]:
        """Send one APDU; returns ``(data, sw1, sw2)`` like pyscard."""
        if not self.connected:
            raise _pyscard_error(
                "CardConnectionException", "Card not connected", "SCARD_E_INVALID_HANDLE"
            )
        try:
            response = self.card.transmit(bytes(command))
        except CardRemovedError:
            self.connected = False
            raise _pyscard_error(
                "CardConnectionException", _REMOVED, "SCARD_W_REMOVED_CARD"
            ) from None
        return list(response[:-2]), response[-2], response[-1]

    def control(self, controlCode: int, command: list[int] | None = None) -> list[int]:
        """A reader without PC/SC part 10 features: an empty feature list."""
        self._check_present()
        if controlCode == CM_IOCTL_GET_FEATURE_REQUEST:
            return []
        raise _pyscard_error(
            "CardConnectionException", "Failed to control", "SCARD_E_UNSUPPORTED_FEATURE"
        )

    def _check_present(self) -> None:
        if not self.card.present:
            self.connected = False
            raise _pyscard_error("CardConnectionException", _REMOVED, "SCARD_W_REMOVED_CARD")

    def __enter__(self) -> VirtualCardConnection:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.disconnect()
