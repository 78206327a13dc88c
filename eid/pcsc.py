"""The PC/SC side: readers, connections, reader features (pyscard).

pyscard is imported inside the functions, never at module import, so that
``import eid`` (and ``monespace --help``) stays fast and works on machines
without the PC/SC library. pyscard's exceptions are turned into ours here.
"""

from __future__ import annotations

from typing import Any

from eid.errors import N_, CardRemoved, EidError, NoCard, NoReader, PcscUnavailable
from eid.models import ReaderInfo
from eid.pinpad import FEATURE_VERIFY_PIN_DIRECT, reader_features

_SCARD_E_NO_SERVICE = 0x8010001D
_SCARD_E_SERVICE_STOPPED = 0x8010001E
_SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
_SCARD_E_NO_SMARTCARD = 0x8010000C
_SCARD_W_REMOVED_CARD = 0x80100069
_SCARD_W_RESET_CARD = 0x80100068
_SCARD_W_UNPOWERED_CARD = 0x80100067
_SCARD_E_NOT_TRANSACTED = 0x80100016  # what pcscd says when the card left mid-APDU
_SCARD_E_READER_UNAVAILABLE = 0x80100017
_SCARD_E_UNKNOWN_READER = 0x80100009


def load_pyscard() -> Any:
    """Import pyscard's ``smartcard.System``; PcscUnavailable if it cannot load."""
    try:
        import smartcard.System as system
    except ImportError as exc:
        raise PcscUnavailable(
            N_("The PC/SC library or pyscard cannot be loaded ({detail})."),
            params={"detail": str(exc)},
            fix=N_(
                "Install the PC/SC library: 'sudo apt-get install libpcsclite1 pcscd', "
                "then reinstall monespace so pyscard is built against it."
            ),
        ) from None
    return system


def _hresult(exc: BaseException) -> int | None:
    value = getattr(exc, "hresult", None)
    return value & 0xFFFFFFFF if isinstance(value, int) else None


def translate(exc: BaseException) -> EidError:
    """Map a pyscard exception to a typed, actionable error."""
    code = _hresult(exc)
    name = type(exc).__name__
    if code in (_SCARD_E_NO_SERVICE, _SCARD_E_SERVICE_STOPPED) or name == (
        "EstablishContextException"
    ):
        return PcscUnavailable(N_("The PC/SC service (pcscd) is not running."))
    if code == _SCARD_E_NO_READERS_AVAILABLE:
        return NoReader(N_("No smart-card reader is connected."))
    if code in (_SCARD_W_REMOVED_CARD, _SCARD_E_NOT_TRANSACTED, _SCARD_W_UNPOWERED_CARD):
        return CardRemoved(N_("The card was removed from the reader."))
    if code == _SCARD_W_RESET_CARD:
        return CardRemoved(N_("The card was reset by another program."))
    if code == _SCARD_E_READER_UNAVAILABLE:
        return NoReader(N_("The card reader was unplugged."))
    if name == "NoCardException" or code == _SCARD_E_NO_SMARTCARD:
        return NoCard(N_("There is no card in the reader."))
    text = str(exc).lower()
    if "remov" in text:
        return CardRemoved(N_("The card was removed from the reader."))
    if "no smart card" in text or "card is unpowered" in text:
        return NoCard(N_("There is no card in the reader."))
    return EidError(N_("PC/SC error: {detail}"), params={"detail": str(exc)})


def reader_objects() -> list[Any]:
    """pyscard reader objects; PcscUnavailable when pcscd is unreachable."""
    system = load_pyscard()
    try:
        return list(system.readers())
    except Exception as exc:  # noqa: BLE001 - pyscard's exception tree is flat
        error = translate(exc)
        if isinstance(error, NoReader):
            return []
        raise error from None


def find_reader(name: str) -> Any:
    """The reader called ``name`` (exact, else unique prefix/substring)."""
    readers = reader_objects()
    if not readers:
        raise NoReader(N_("No smart-card reader is connected."))
    exact = [r for r in readers if str(r) == name]
    partial = [r for r in readers if name.lower() in str(r).lower()]
    match = exact or partial
    if len(match) != 1:
        names = ", ".join(repr(str(r)) for r in readers)
        raise NoReader(
            N_("No single reader matches {name!r}."),
            params={"name": name},
            fix=N_("Choose one of: {names}."),
            fix_params={"names": names},
        )
    return match[0]


def connect(reader: Any) -> Any:
    """A connected pyscard CardConnection to the card in ``reader``."""
    connection = reader.createConnection()
    try:
        connection.connect()
    except Exception as exc:  # noqa: BLE001
        release_quietly(connection)
        raise translate(exc) from None
    return connection


def _reader_info(reader: Any) -> ReaderInfo:
    """Probe one reader: connect shared to read the ATR, then the features."""
    connection = reader.createConnection()
    try:
        connection.connect()
    except Exception:  # noqa: BLE001 - empty slot or card in use: report as no card
        release_quietly(connection)
        return ReaderInfo(str(reader), False, None, _direct_pinpad(reader))
    try:
        atr = bytes(connection.getATR()).hex().upper()
        pinpad = FEATURE_VERIFY_PIN_DIRECT in reader_features(connection)
    finally:
        release_quietly(connection)
    return ReaderInfo(str(reader), True, atr, pinpad)


def _direct_pinpad(reader: Any) -> bool:
    """Ask for features without a card (SCARD_SHARE_DIRECT)."""
    try:
        from smartcard.scard import SCARD_SHARE_DIRECT

        connection = reader.createConnection()
    except Exception:  # noqa: BLE001 - direct mode is optional in drivers
        return False
    try:
        connection.connect(mode=SCARD_SHARE_DIRECT)
    except Exception:  # noqa: BLE001 - direct mode is optional in drivers
        release_quietly(connection)
        return False
    try:
        return FEATURE_VERIFY_PIN_DIRECT in reader_features(connection)
    finally:
        release_quietly(connection)


def release_quietly(connection: Any) -> None:
    """Disconnect and release the PC/SC context now, not in ``__del__``.

    pyscard releases contexts in its destructor, which at interpreter exit
    prints "Exception ignored … Failed to release context"; releasing
    explicitly keeps stderr clean.
    """
    for action in ("disconnect", "release"):
        method = getattr(connection, action, None)
        if method is None:
            continue
        try:
            method()
        except Exception:  # noqa: BLE001, S112 - already gone is fine
            continue


def list_readers() -> list[ReaderInfo]:
    """Every reader with card presence, ATR and PIN pad capability."""
    return [_reader_info(reader) for reader in reader_objects()]


def card_state(reader: str) -> str:
    """``"present"``, ``"empty"`` or ``"unknown"``: pcscd's view of a reader now.

    Asks pcscd's status (SCardGetStatusChange) instead of connecting, so it
    neither disturbs a card in use nor reports it as missing.
    """
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return "unknown"
    try:
        hresult, states = scard.SCardGetStatusChange(
            context, 0, [(reader, scard.SCARD_STATE_UNAWARE)]
        )
        if hresult != scard.SCARD_S_SUCCESS or not states:
            return "unknown"
        event = states[0][1]
        if event & scard.SCARD_STATE_EMPTY:
            return "empty"
        return "present" if event & scard.SCARD_STATE_PRESENT else "unknown"
    finally:
        scard.SCardReleaseContext(context)
