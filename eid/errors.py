"""Everything that can go wrong with a reader or an eID card, as types.

Support staff and users act on these messages, so each one says what is
wrong *and what to do*; callers (CLI, doctor, portal login) catch the level
they care about. No message, attribute or repr ever carries a PIN.

Translation without a dependency on the CLI: ``eid`` stays English (``str(exc)``
is the English sentence), but every exception also keeps its message
*template* and parameters (``exc.template``/``exc.params``, and
``exc.fix_template``/``exc.fix_params`` for the hint). The templates are
marked with the no-op :func:`N_` so the CLI's extractor puts them in its
gettext catalogue; the CLI then shows ``_(template).format(**params)``.
String parameters that are themselves fixed phrases (``what`` the card
refused to do, a certificate role) are marked with ``N_`` too, so a
translator can translate them as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def N_(message: str) -> str:
    """Mark a message for the translation catalogue; returns it unchanged."""
    return message


Gettext = Callable[[str], str]


def _same(text: str) -> str:
    return text


@dataclass(frozen=True, slots=True)
class Message:
    """A translatable sentence: an English template and its parameters.

    ``str()`` is the English text; :func:`localize` renders it in another
    language given a gettext function (the CLI's ``_``).
    """

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.template, self.params)


def render(template: str, params: Mapping[str, object], gettext: Gettext = _same) -> str:
    """``template`` translated by ``gettext`` and filled with ``params``.

    A template without params is used verbatim (braces and all). Parameters
    are rendered too: a :class:`Message` or :class:`EidError` recursively, a
    list as ``"; "``-joined items, a non-empty string through ``gettext``
    (fixed phrases marked ``N_`` translate; names and numbers are left as
    they are, as no msgid matches them). A translation whose placeholders
    do not match falls back to the English template rather than failing.
    """
    text = gettext(template) if template else template
    if not params:
        return text
    values = {key: _param(value, gettext) for key, value in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation: English it is
        return template.format(**values)


def _param(value: object, gettext: Gettext) -> object:
    if isinstance(value, Message):
        return render(value.template, value.params, gettext)
    if isinstance(value, EidError):
        return render(value.template, value.params, gettext)
    if isinstance(value, list | tuple):
        return "; ".join(str(_param(item, gettext)) for item in value)
    if isinstance(value, str) and value:
        return gettext(value)
    return value


def localize(exc: EidError, gettext: Gettext) -> tuple[str, str]:
    """The message and the fix of ``exc`` in the language of ``gettext``."""
    return render(exc.template, exc.params, gettext), render(
        exc.fix_template, exc.fix_params, gettext
    )


class EidError(Exception):
    """Base class: a reader, card or card-data problem.

    ``message`` is an English template with ``{name}`` fields filled from
    ``params`` (a template without params is used verbatim, braces and all).
    """

    #: One line a person can act on (English template; see ``fix_template``).
    fix: str = ""

    def __init__(
        self,
        message: str,
        *,
        fix: str | None = None,
        params: Mapping[str, object] | None = None,
        fix_params: Mapping[str, object] | None = None,
    ) -> None:
        self.template = message
        self.params: dict[str, object] = dict(params or {})
        super().__init__(render(message, self.params))
        self.fix_template: str = type(self).fix if fix is None else fix
        self.fix_params: dict[str, object] = dict(fix_params or {})
        self.fix = render(self.fix_template, self.fix_params)

    @property
    def message(self) -> str:
        """The message with its fix, for display."""
        text = str(self)
        return f"{text} {self.fix}".strip() if self.fix else text


class PcscUnavailable(EidError):
    """The PC/SC service or library cannot be used."""

    fix = N_(
        "Install and start the PC/SC service: 'sudo apt-get install pcscd' then "
        "'sudo systemctl start pcscd.socket' (without systemd: 'sudo pcscd -f -a &')."
    )


class NoReader(EidError):
    """PC/SC works but lists no reader (or not the one asked for)."""

    fix = N_("Plug in the card reader (or check its USB cable), then try again.")


class NoCard(EidError):
    """A reader is there but holds no card."""

    fix = N_("Insert the eID card in the reader, chip first and facing up.")


class NotAnEid(EidError):
    """The card in the reader is not a Belgian eID (BELPIC) card."""

    fix = N_("Insert a Belgian eID card; bank and other cards are not supported.")


class CardRemoved(EidError):
    """The card was pulled out (or reset) during the operation."""

    fix = N_("Leave the card in the reader until the operation finishes, then try again.")


class CardCommunicationError(EidError):
    """The card answered with an unexpected status word or not at all."""

    fix = N_("Remove and re-insert the card; if it persists, run 'monespace eid doctor'.")

    def __init__(
        self, message: str, *, sw: int | None = None, params: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message, params=params)
        self.sw = sw


class SecurityStatusNotSatisfied(CardCommunicationError):
    """The card refused an operation because the PIN was not verified first."""

    fix = N_("Verify the PIN first.")


class WrongPin(EidError):
    """The card rejected the PIN; ``tries_left`` before it blocks."""

    def __init__(self, tries_left: int) -> None:
        self.tries_left = tries_left
        if tries_left == 1:
            message = N_("Wrong PIN: 1 try left before the card blocks the PIN.")
            fix = N_("Be careful: one more wrong PIN blocks the card.")
        else:
            message = N_("Wrong PIN: {tries_left} tries left before the card blocks the PIN.")
            fix = None
        super().__init__(message, fix=fix, params={"tries_left": tries_left})


class PinBlocked(EidError):
    """The PIN try counter is at zero."""

    fix = N_(
        "The PIN is blocked. Unblock it with the PUK codes from your commune "
        "(letter received with the card), at the commune's office."
    )

    def __init__(self, message: str = N_("The eID PIN is blocked.")) -> None:
        super().__init__(message)


class InvalidPinFormat(EidError):
    """The PIN is not 4 to 12 digits; refused before the card sees it."""

    fix = N_("An eID PIN is 4 to 12 digits.")

    def __init__(self, message: str = N_("The PIN must be 4 to 12 digits.")) -> None:
        super().__init__(message)


class LastTryRefused(EidError):
    """One try left and the caller did not force it: nothing sent to the card."""

    fix = N_(
        "Only one PIN try is left; a wrong PIN now blocks the card. "
        "Retry with --force-last-try if you are sure of the PIN."
    )

    def __init__(self) -> None:
        super().__init__(N_("Refused to present the PIN: only one try is left."))


class PinpadUnavailable(EidError):
    """PIN pad verification asked on a reader without a PIN pad."""

    fix = N_("Use a reader with a PIN pad, or type the PIN on the keyboard.")


class PinpadCancelled(EidError):
    """The user cancelled or timed out on the reader's PIN pad."""

    fix = N_("Type the PIN on the reader's keypad and press OK within the time limit.")


class UnsupportedApplet(EidError):
    """A BELPIC card whose applet version this library does not handle."""

    fix = N_("Only eID applets 1.7 and 1.8 are supported; update monespace.")


class CardDataInvalid(EidError):
    """A file on the card is malformed or does not verify."""

    fix = N_(
        "The card data is damaged or was altered; do not trust it. "
        "Contact your commune to have the card checked."
    )
