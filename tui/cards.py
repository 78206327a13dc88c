"""Where the login screen finds the card: PC/SC readers, or one given connection.

Why a small abstraction: the login screen must follow the readers live
(insert/remove the card and the screen follows) on a real machine, and the
tests must drive the very same screen with the in-process virtual card
(``eid.virtual.VirtualCard(image).connection()``) — passed to the app as a
constructor argument, not through an environment variable. Both sources
answer the same two questions: which readers, with or without a card and a
PIN pad (:meth:`CardSource.readers`), and open the card
(:meth:`CardSource.open`). Polling uses pcscd's status
(``eid.pcsc.card_state``), which neither disturbs a card in use nor powers
it up; the PIN pad probe (which connects) runs only when a reader's state
changes.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from eid.card import EidCard


@dataclass(frozen=True)
class ReaderState:
    """One reader as the login screen shows it."""

    name: str
    card: str  # "present", "empty" or "unknown"
    pinpad: bool = False


class CardSource(Protocol):
    """Readers to show and a way to open the card (PC/SC or an injected connection)."""

    def readers(self) -> list[ReaderState]:
        """The readers now; raises ``eid.errors.EidError`` (e.g. PcscUnavailable)."""
        ...

    def open(self, reader: str | None) -> AbstractContextManager[EidCard]:
        """The open card in ``reader`` (the first with a card when None)."""
        ...


class PcscCards:
    """The machine's PC/SC readers through pcscd."""

    def __init__(self) -> None:
        self._pinpad: dict[tuple[str, str], bool] = {}

    def readers(self) -> list[ReaderState]:
        # The card side (eid.pcsc, eid.session with the card's crypto: a third of a
        # second to import) loads when the login screen first looks at the readers:
        # a session that starts with a stored token never pays for it.
        from eid.pcsc import card_state, reader_objects

        states = []
        for reader in reader_objects():
            name = str(reader)
            card = card_state(name)
            states.append(ReaderState(name, card, self._has_pinpad(name, card)))
        return states

    def _has_pinpad(self, name: str, card: str) -> bool:
        """PIN pad capability, probed once per reader state (probing connects)."""
        key = (name, card)
        if key not in self._pinpad:
            from eid.pcsc import list_readers  # on use (see readers)

            found = {info.name: info.pinpad for info in list_readers()}
            for reader_name, pinpad in found.items():
                self._pinpad[(reader_name, card)] = pinpad
            self._pinpad.setdefault(key, False)
        return self._pinpad[key]

    def open(self, reader: str | None) -> AbstractContextManager[EidCard]:
        from eid.session import open_card  # on use (see readers)

        return open_card(reader)


class ConnectionCard:
    """One given pyscard-compatible connection (the in-process virtual card in tests)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def readers(self) -> list[ReaderState]:
        card = getattr(self.connection, "card", None)
        present = getattr(card, "present", True)
        name = str(self.connection.getReader())
        return [ReaderState(name, "present" if present else "empty", False)]

    def open(self, reader: str | None) -> AbstractContextManager[EidCard]:
        from eid.session import open_card  # on use (see PcscCards.readers)

        return open_card(connection=self.connection)
