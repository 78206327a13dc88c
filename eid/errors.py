"""Everything that can go wrong with a reader or an eID card, as types.

Support staff and users act on these messages, so each one says what is
wrong *and what to do*; callers (CLI, doctor, portal login) catch the level
they care about. No message, attribute or repr ever carries a PIN.
"""

from __future__ import annotations


class EidError(Exception):
    """Base class: a reader, card or card-data problem."""

    #: One line a person can act on; the CLI prints it as is.
    fix: str = ""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        if fix is not None:
            self.fix = fix

    @property
    def message(self) -> str:
        """The message with its fix, for display."""
        text = str(self)
        return f"{text} {self.fix}".strip() if self.fix else text


class PcscUnavailable(EidError):
    """The PC/SC service or library cannot be used."""

    fix = (
        "Install and start the PC/SC service: 'sudo apt-get install pcscd' then "
        "'sudo systemctl start pcscd.socket' (without systemd: 'sudo pcscd -f -a &')."
    )


class NoReader(EidError):
    """PC/SC works but lists no reader (or not the one asked for)."""

    fix = "Plug in the card reader (or check its USB cable), then try again."


class NoCard(EidError):
    """A reader is there but holds no card."""

    fix = "Insert the eID card in the reader, chip first and facing up."


class NotAnEid(EidError):
    """The card in the reader is not a Belgian eID (BELPIC) card."""

    fix = "Insert a Belgian eID card; bank and other cards are not supported."


class CardRemoved(EidError):
    """The card was pulled out (or reset) during the operation."""

    fix = "Leave the card in the reader until the operation finishes, then try again."


class CardCommunicationError(EidError):
    """The card answered with an unexpected status word or not at all."""

    fix = "Remove and re-insert the card; if it persists, run 'monespace eid doctor'."

    def __init__(self, message: str, *, sw: int | None = None) -> None:
        super().__init__(message)
        self.sw = sw


class SecurityStatusNotSatisfied(CardCommunicationError):
    """The card refused an operation because the PIN was not verified first."""

    fix = "Verify the PIN first."


class WrongPin(EidError):
    """The card rejected the PIN; ``tries_left`` before it blocks."""

    def __init__(self, tries_left: int) -> None:
        self.tries_left = tries_left
        plural = "try" if tries_left == 1 else "tries"
        super().__init__(f"Wrong PIN: {tries_left} {plural} left before the card blocks the PIN.")
        if tries_left == 1:
            self.fix = "Be careful: one more wrong PIN blocks the card."


class PinBlocked(EidError):
    """The PIN try counter is at zero."""

    fix = (
        "The PIN is blocked. Unblock it with the PUK codes from your commune "
        "(letter received with the card), at the commune's office."
    )

    def __init__(self, message: str = "The eID PIN is blocked.") -> None:
        super().__init__(message)


class InvalidPinFormat(EidError):
    """The PIN is not 4 to 12 digits; refused before the card sees it."""

    fix = "An eID PIN is 4 to 12 digits."

    def __init__(self, message: str = "The PIN must be 4 to 12 digits.") -> None:
        super().__init__(message)


class LastTryRefused(EidError):
    """One try left and the caller did not force it: nothing sent to the card."""

    fix = (
        "Only one PIN try is left; a wrong PIN now blocks the card. "
        "Retry with --force-last-try if you are sure of the PIN."
    )

    def __init__(self) -> None:
        super().__init__("Refused to present the PIN: only one try is left.")


class PinpadUnavailable(EidError):
    """PIN pad verification asked on a reader without a PIN pad."""

    fix = "Use a reader with a PIN pad, or type the PIN on the keyboard."


class PinpadCancelled(EidError):
    """The user cancelled or timed out on the reader's PIN pad."""

    fix = "Type the PIN on the reader's keypad and press OK within the time limit."


class UnsupportedApplet(EidError):
    """A BELPIC card whose applet version this library does not handle."""

    fix = "Only eID applets 1.7 and 1.8 are supported; update monespace."


class CardDataInvalid(EidError):
    """A file on the card is malformed or does not verify."""

    fix = (
        "The card data is damaged or was altered; do not trust it. "
        "Contact your commune to have the card checked."
    )
