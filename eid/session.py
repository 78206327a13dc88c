"""Opening a card: pick the reader, connect, make sure it is an eID.

Kept apart from ``eid.card`` so that the card logic can run on any
connection (the in-process virtual card in tests) without pyscard.
"""

from __future__ import annotations

from typing import Any

from eid.apdu import Connection
from eid.card import EidCard
from eid.errors import N_, EidError, NoCard, NoReader
from eid.pcsc import connect, find_reader, reader_objects, translate


def _first_card() -> tuple[Any, str]:
    readers = reader_objects()
    if not readers:
        raise NoReader(N_("No smart-card reader is connected."))
    for reader in readers:
        try:
            return connect(reader), str(reader)
        except NoCard:
            continue
    names = ", ".join(str(r) for r in readers)
    raise NoCard(N_("There is no card in any reader ({names})."), params={"names": names})


def _ensure_connected(connection: Any) -> None:
    """Connect a pyscard-style connection that was created but not connected.

    pyscard's CardConnection has ``hcard`` None until connected; the virtual
    card's connection has ``connected``. Anything else is taken as ready.
    """
    if getattr(connection, "connected", True) is False or (
        hasattr(connection, "hcard") and connection.hcard is None
    ):
        try:
            connection.connect()
        except EidError:
            raise
        except Exception as exc:  # noqa: BLE001 - pyscard's exceptions are untyped
            raise translate(exc) from None


def open_card(reader: str | None = None, *, connection: Connection | None = None) -> EidCard:
    """An open ``EidCard`` (use ``with``): in ``reader``, the first reader
    holding a card, or on an already connected pyscard-compatible
    ``connection`` (e.g. ``eid.virtual.VirtualCard(image).connection()``).

    Raises PcscUnavailable, NoReader, NoCard, NotAnEid or UnsupportedApplet.
    """
    if connection is not None:
        _ensure_connected(connection)
        card = EidCard(connection)
    elif reader is not None:
        card = EidCard(connect(find_reader(reader)), reader_name=reader)
    else:
        conn, name = _first_card()
        card = EidCard(conn, reader_name=name)
    try:
        card.check_is_eid()
    except EidError:
        if connection is None:
            card.close()
        raise
    return card
