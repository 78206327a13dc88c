"""APDU exchange with a BELPIC card: the ISO 7816-4 mechanics in one place.

The card speaks T=0 (applet manuals §6.1): case-4 commands answer 61xx and
the data must be fetched with GET RESPONSE; a READ BINARY with the wrong Le
answers 6Cxx and must be repeated with Le=xx; reading past the end answers
6B00. Small readers in the wild miss these; here they are handled once, so
the card layer above only sees data or a typed error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from eid.errors import (
    N_,
    CardCommunicationError,
    CardRemoved,
    EidError,
    PinBlocked,
    SecurityStatusNotSatisfied,
)
from eid.pcsc import translate

SW_OK = 0x9000
SW_WRONG_OFFSET = 0x6B00
SW_SECURITY_STATUS = 0x6982
SW_PIN_BLOCKED = 0x6983
SW_CONDITIONS_OF_USE = 0x6985
SW_FILE_NOT_FOUND = 0x6A82
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00

#: Bytes asked per READ BINARY. 0xF8 stays under every reader's short-APDU
#: limit (some CCID readers choke on Le=00) while keeping the count low.
READ_CHUNK = 0xF8
#: READ BINARY offsets use 15 bits (P1 bit 8 must be 0).
MAX_OFFSET = 0x7FFF
#: A GET RESPONSE chain longer than this is a card fault, not data.
MAX_RESPONSE_CHAIN = 64

_SW_TEXT = {
    0x6400: "no precise diagnostic",
    0x6581: "EEPROM corrupted",
    0x6700: "wrong length",
    0x6981: "command incompatible with the file structure",
    SW_SECURITY_STATUS: "security status not satisfied",
    SW_CONDITIONS_OF_USE: "conditions of use not satisfied",
    0x6986: "command not allowed (no current file)",
    0x6A80: "incorrect data",
    SW_FILE_NOT_FOUND: "file not found",
    0x6A86: "wrong parameters P1-P2",
    0x6A87: "Lc inconsistent with P1-P2",
    0x6A88: "referenced data not found",
    SW_WRONG_OFFSET: "offset outside the file",
    SW_INS_NOT_SUPPORTED: "instruction not supported",
    SW_CLA_NOT_SUPPORTED: "class not supported",
    0x6881: "class not supported",
}


class Connection(Protocol):
    """The part of pyscard's CardConnection this library uses."""

    def transmit(self, command: list[int], protocol: Any = ...) -> tuple[list[int], int, int]: ...

    def getATR(self) -> list[int]: ...

    def getReader(self) -> object: ...

    def control(self, controlCode: int, command: list[int] = ...) -> list[int]: ...

    def disconnect(self) -> None: ...


def describe_sw(sw: int) -> str:
    """Human text for a status word (for messages; never includes APDU data)."""
    text = _SW_TEXT.get(sw)
    return f"{sw:04X} ({text})" if text else f"{sw:04X}"


def status_error(sw: int, what: str) -> EidError:
    """The typed exception for a failing status word during ``what``."""
    if sw == SW_PIN_BLOCKED:
        return PinBlocked()
    if sw == SW_SECURITY_STATUS:
        return SecurityStatusNotSatisfied(
            N_("The card refused to {what}: PIN not verified."), sw=sw, params={"what": what}
        )
    return CardCommunicationError(
        N_("The card refused to {what}: status {status}."),
        sw=sw,
        params={"what": what, "status": describe_sw(sw)},
    )


def _transport_error(exc: Exception) -> EidError:
    """Map a pyscard (or virtual card) transport exception to our types."""
    error = translate(exc)
    if type(error) is not EidError:
        return error
    text = str(exc).lower()
    if "remov" in text or "reset" in text or "no smart card" in text:
        return CardRemoved(N_("The card was removed from the reader."))
    return CardCommunicationError(
        N_("Communication with the card failed: {detail}"), params={"detail": str(exc)}
    )


class CardChannel:
    """Sends APDUs, hides T=0 chaining, counts exchanges for benchmarks."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        #: Number of APDUs sent (GET RESPONSE and retries included).
        self.apdu_count = 0

    def _exchange(self, command: bytes | bytearray) -> tuple[bytes, int]:
        self.apdu_count += 1
        as_list = list(command)
        try:
            data, sw1, sw2 = self.connection.transmit(as_list)
        except EidError:
            raise
        except Exception as exc:  # noqa: BLE001 - pyscard raises several unrelated types
            raise _transport_error(exc) from None
        finally:
            as_list[:] = [0] * len(as_list)  # the command may hold a PIN block
        return bytes(data), (sw1 << 8) | sw2

    def transmit(self, command: bytes | bytearray) -> tuple[bytes, int]:
        """Send one command; follow 61xx and 6Cxx; return (data, final SW)."""
        data, sw = self._exchange(command)
        if sw >> 8 == 0x6C and len(command) == 5:
            retry = bytes(command[:4]) + bytes([sw & 0xFF])
            data, sw = self._exchange(retry)
        chunks = [data]
        for _ in range(MAX_RESPONSE_CHAIN):
            if sw >> 8 not in (0x61, 0x6C) or (sw >> 8 == 0x6C and len(chunks) == 1):
                break
            # 61xx: xx more bytes wait; 6Cxx after GET RESPONSE: ask again with Le=xx.
            more, sw = self._exchange(bytes([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
            chunks.append(more)
        else:
            raise CardCommunicationError(N_("The card sent an endless response chain."))
        return b"".join(chunks), sw

    def command(self, command: bytes | bytearray, what: str) -> bytes:
        """Send a command that must end in 9000; otherwise raise a typed error."""
        data, sw = self.transmit(command)
        if sw != SW_OK:
            raise status_error(sw, what)
        return data

    # -- ISO 7816-4 commands ----------------------------------------------

    def select_path(self, path: bytes) -> None:
        """SELECT FILE by absolute path without the MF (P1=08, P2=0C)."""
        self.command(bytes([0x00, 0xA4, 0x08, 0x0C, len(path)]) + path, N_("select a file"))

    def select_fid(self, fid: int) -> None:
        """SELECT FILE by file identifier in the current DF (P1=02)."""
        self.command(bytes([0x00, 0xA4, 0x02, 0x0C, 0x02]) + fid.to_bytes(2, "big"), N_("select"))

    def select_aid(self, aid: bytes) -> int:
        """SELECT by AID (P1=04); returns the status word (callers judge it)."""
        return self.transmit(bytes([0x00, 0xA4, 0x04, 0x0C, len(aid)]) + aid)[1]

    def read_binary(
        self, max_size: int = MAX_OFFSET + 1, *, size_hint: Callable[[bytes], int] | None = None
    ) -> bytes:
        """READ BINARY the current EF to its end, in chunks of READ_CHUNK.

        ``size_hint(first_chunk)`` may tell the real content length (e.g. the
        DER length of a certificate in a zero-padded file), so the padding is
        never read: half the APDUs for certificate files.
        """
        out = bytearray()
        while len(out) < max_size:
            offset = len(out)
            if offset > MAX_OFFSET:
                raise CardCommunicationError(N_("A card file is larger than 32 KiB."))
            le = min(READ_CHUNK, max_size - offset)
            data, sw = self.transmit(bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, le]))
            if sw == SW_WRONG_OFFSET:
                break
            if sw != SW_OK:
                raise status_error(sw, N_("read a file"))
            out += data
            if len(data) < le or not data:
                break
            if offset == 0 and size_hint is not None:
                max_size = min(max_size, max(size_hint(bytes(out)), len(out)))
        return bytes(out[:max_size])

    def read_file(self, path: bytes, *, size_hint: Callable[[bytes], int] | None = None) -> bytes:
        """Select by path then read the whole file."""
        self.select_path(path)
        return self.read_binary(size_hint=size_hint)
