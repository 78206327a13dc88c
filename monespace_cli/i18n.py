"""French, German and English messages through gettext.

Command names and API field names stay English; what a person reads (errors,
confirmations, table headers) follows the locale. The language comes from
the usual variables in gettext's order — ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG`` — so ``LANG=fr_BE.UTF-8`` gives French,
``LANG=de_BE.UTF-8`` German (the German-speaking Community's), and a Dutch
locale falls back to English messages.

Usage in a command module::

    from monespace_cli.i18n import _

    raise CliError(_("No procedure {code} in the catalogue.").format(code=code))

Always format *after* translating (``_("…{x}…").format(x=…)``), so the
catalogue holds one msgid per sentence. The catalogues live in
``monespace_cli/locale/<lang>/LC_MESSAGES/monespace.po``; the compiled
``.mo`` files are committed (``python -m monespace_cli.i18n_compile`` rebuilds
them; a test checks they are in sync).

Translations load on first use, not at import time, so ``--help`` pays
nothing for them.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "monespace"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("fr", "de", "en")

_translation: gettext.NullTranslations | None = None


def translation() -> gettext.NullTranslations:
    """The catalogue for the current locale (English msgids when none matches)."""
    global _translation
    if _translation is None:
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, fallback=True)
    return _translation


def _(message: str) -> str:
    """Translate one message (the msgid is the English text)."""
    return translation().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message whose form depends on a count."""
    return translation().ngettext(singular, plural, n)


def preferred_languages() -> list[str]:
    """Two-letter languages the user asked for, most wanted first.

    Used to choose among the portal's multilingual fields (``title.fr``,
    ``title.en``, ``title.de``) — a Dutch speaker gets Dutch titles where
    the portal has them even though messages fall back to English.
    """
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            langs = []
            for part in value.split(":"):
                lang = part.split(".")[0].split("@")[0].split("_")[0].lower()
                if lang and lang not in ("c", "posix") and lang not in langs:
                    langs.append(lang)
            return langs
    return []


def chosen_language() -> str:
    """The language the CLI's own messages are in: the first wanted one it has, else English."""
    for lang in preferred_languages():
        if lang in LANGUAGES:
            return lang
    return "en"


def accept_language() -> str:
    """The ``Accept-Language`` the client sends, so the portal's error details
    are in the language of the CLI's messages around them."""
    lang = chosen_language()
    return lang if lang == "en" else f"{lang}, en;q=0.5"


def pick_language(values: object) -> str:
    """Pick the best text from a ``{"fr": …, "en": …}`` object for this user.

    Falls back to English, then French, then any language; a plain string is
    returned as it is.
    """
    if not isinstance(values, dict):
        return "" if values is None else str(values)
    for lang in [*preferred_languages(), "en", "fr"]:
        text = values.get(lang)
        if text:
            return str(text)
    for text in values.values():
        if text:
            return str(text)
    return ""


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it (gettext idiom)."""
    return message


def plural(n: int, singular: str, plural_form: str) -> str:
    """The translated form of a counted message, by the language's own rule.

    Both forms are ordinary catalogue entries (mark them with ``N_``): the
    catalogues hold singular entries only. The rule is the catalogue's own
    ``Plural-Forms`` header (gettext compiles it): French uses the singular
    for 0 and 1 ("0 jour", "1 jour", "2 jours"), German and English for 1
    only. Without a catalogue (English msgids) the English rule applies.
    """
    rule = getattr(translation(), "plural", None)
    one = rule(n) == 0 if callable(rule) else n == 1
    return _(singular if one else plural_form)


#: Strings Typer prints through the stdlib's global ``gettext`` (help sections,
#: a few errors). Listed so the extractor puts them in our catalogue.
FRAMEWORK_MESSAGES = (
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("required"),
    N_("default: {default}"),
    N_("Aborted!"),
)


def install_global() -> None:
    """Point the stdlib's global gettext at our catalogue, for Typer's own strings.

    Typer's vendored Click prints "Usage:", "Error:" and "Try … for help."
    without gettext; :func:`monespace_cli.i18n_click.install` reroutes those
    (the command line calls both; this module stays free of Typer so the
    TUI and the client can use it).
    """
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)


def schema_title(schema: object) -> str:
    """A form field's title in the user's language.

    The sandbox forms carry ``title`` in French and ``x-title-en`` /
    ``x-title-de`` beside it (JSON Schema has one ``title``).
    """
    if not isinstance(schema, dict):
        return ""
    if isinstance(schema.get("title"), dict):
        return pick_language(schema["title"])
    return pick_language(
        {
            "fr": schema.get("title"),
            "en": schema.get("x-title-en"),
            "de": schema.get("x-title-de"),
        }
    )
