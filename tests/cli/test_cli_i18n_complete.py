"""French and German are complete: every msgid translated, eid errors and Click's texts too.

The catalogues are checked against the sources (so a new ``_()``/``N_()`` that
nobody extracted fails too), and the ``eid`` library's English errors are
checked to come out in French and German through the real CLI under
``LANG=fr_BE.UTF-8`` and ``LANG=de_BE.UTF-8``.
"""

from __future__ import annotations

import gettext
import inspect
import string
from pathlib import Path

import pytest

import eid.errors
from eid.doctor import Check, _check
from eid.errors import EidError, Message, localize, render
from monespace_cli.i18n import DOMAIN, LOCALE_DIR
from monespace_cli.i18n_compile import extract_messages, parse_po, po_path, source_files

FRENCH = "fr_BE.UTF-8"
GERMAN = "de_BE.UTF-8"
#: The languages a person reads (English is the msgids themselves).
TRANSLATED = ("fr", "de")


def _fields(text: str) -> set[str]:
    """The ``{name}`` fields of a format string (with conversion and spec)."""
    return {
        f"{name}!{conv}:{spec}"
        for _, name, spec, conv in string.Formatter().parse(text)
        if name is not None
    }


def _french() -> gettext.GNUTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=["fr"])


def _german() -> gettext.GNUTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=["de"])


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_msgid_is_translated_and_not_fuzzy(lang: str) -> None:
    text = po_path(lang).read_text(encoding="utf-8")
    assert "#, fuzzy" not in text and "#,fuzzy" not in text, f"fuzzy entries in {lang}"
    catalog = parse_po(text)
    catalog.pop("", None)
    untranslated = [msgid for msgid, msgstr in catalog.items() if not msgstr.strip()]
    assert not untranslated, (
        f"{len(untranslated)} untranslated in {lang} (list them: python -m "
        f"monespace_cli.i18n_compile --missing {lang}): {untranslated[:10]}"
    )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_source_message_is_in_the_catalogue(lang: str) -> None:
    catalog = parse_po(po_path(lang).read_text(encoding="utf-8"))
    missing = [m for m in extract_messages(source_files()) if not catalog.get(m)]
    assert not missing, (
        f"run: python -m monespace_cli.i18n_compile --missing {lang}, then translate {missing[:10]}"
    )


def test_the_german_catalogue_has_every_french_msgid() -> None:
    """Entries kept by hand in French (no longer in the sources) are in German too."""
    french = parse_po(po_path("fr").read_text(encoding="utf-8"))
    german = parse_po(po_path("de").read_text(encoding="utf-8"))
    missing = [m for m in french if m and not german.get(m)]
    assert not missing, missing[:10]


def test_the_extractor_reads_the_eid_library() -> None:
    assert any(Path(p).parts[-2:] == ("eid", "errors.py") for p in source_files())
    messages = extract_messages([Path(eid.errors.__file__)])
    assert "The PIN must be 4 to 12 digits." in messages
    assert "Wrong PIN: {tries_left} tries left before the card blocks the PIN." in messages


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    catalog = parse_po(po_path(lang).read_text(encoding="utf-8"))
    catalog.pop("", None)
    broken = [m for m, s in catalog.items() if s and _fields(m) != _fields(s)]
    assert not broken, broken


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_edges_and_line_breaks(lang: str) -> None:
    """A leading or trailing space glues a label to a value; a line count shapes help."""
    catalog = parse_po(po_path(lang).read_text(encoding="utf-8"))
    catalog.pop("", None)
    broken = [
        m
        for m, s in catalog.items()
        if s
        and (
            m[: len(m) - len(m.lstrip())] != s[: len(s) - len(s.lstrip())]
            or m[len(m.rstrip()) :] != s[len(s.rstrip()) :]
            or m.count("\n") != s.count("\n")
        )
    ]
    assert not broken, broken


def _eid_error_classes() -> list[type[EidError]]:
    return [
        cls
        for _, cls in inspect.getmembers(eid.errors, inspect.isclass)
        if issubclass(cls, EidError)
    ]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_eid_error_fix_is_translated(lang: str) -> None:
    catalogue = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
    for cls in _eid_error_classes():
        if cls.fix:
            assert catalogue.gettext(cls.fix) != cls.fix, cls.__name__


def test_eid_errors_stay_english_but_carry_their_template() -> None:
    exc = eid.errors.WrongPin(2)
    assert str(exc) == "Wrong PIN: 2 tries left before the card blocks the PIN."
    assert exc.template == "Wrong PIN: {tries_left} tries left before the card blocks the PIN."
    assert exc.params == {"tries_left": 2}
    message = localize(exc, _french().gettext)[0]
    assert (
        message == "Code PIN erroné : 2 essais restants avant que la carte ne bloque le code PIN."
    )
    last = eid.errors.WrongPin(1)
    assert localize(last, _french().gettext)[1].startswith("Attention : un code PIN erroné")
    assert localize(eid.errors.InvalidPinFormat(), _french().gettext) == (
        "Le code PIN doit compter de 4 à 12 chiffres.",
        "Le code PIN d'une carte eID compte de 4 à 12 chiffres.",
    )


def test_nested_parameters_are_translated() -> None:
    french = _french().gettext
    refused = eid.errors.CardCommunicationError(
        eid.errors.N_("The card refused to {what}: status {status}."),
        params={"what": "verify the PIN", "status": "6A82"},
    )
    assert str(refused) == "The card refused to verify the PIN: status 6A82."
    assert (
        localize(refused, french)[0] == "La carte a refusé de vérifier le code PIN : statut 6A82."
    )
    joined = Message("{notes}", {"notes": [Message("all certificates valid"), refused]})
    assert render(joined.template, joined.params, french).startswith(
        "tous les certificats sont valides; La carte a refusé"
    )


def test_eid_errors_render_german() -> None:
    german = _german().gettext
    assert localize(eid.errors.WrongPin(2), german)[0] == (
        "Falscher PIN-Code: noch 2 Versuche, bevor die Karte den PIN-Code sperrt."
    )
    refused = eid.errors.CardCommunicationError(
        eid.errors.N_("The card refused to {what}: status {status}."),
        params={"what": "verify the PIN", "status": "6A82"},
    )
    assert localize(refused, german)[0] == (
        "Die Karte hat sich geweigert, den PIN-Code zu prüfen: Status 6A82."
    )


def test_a_broken_translation_falls_back_to_english() -> None:
    def bad(text: str) -> str:
        return "{nope}" if "{" in text else text

    assert render("{n} tries", {"n": 2}, bad) == "2 tries"


def test_doctor_checks_keep_english_and_render_french() -> None:
    check = _check("pin", "warn", Message("{tries} PIN tries left", {"tries": 1}))
    assert isinstance(check, Check) and check.detail == "1 PIN tries left"
    assert check.localized(_french().gettext)[0] == "1 essai(s) restant(s) pour le code PIN"
    plain = Check("pin", "ok", "as is")
    assert plain.localized(_french().gettext) == ("as is", "")


def test_pcsc_service_down_is_french_through_the_cli(cli, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-pcscd.comm")
    french = cli("eid", "readers", LANG=FRENCH, PCSCLITE_CSOCK_NAME=missing)
    assert french.code == 6, french.err
    assert "Le service PC/SC (pcscd) ne tourne pas." in french.err
    assert "Installez et démarrez le service PC/SC" in french.err
    assert "Traceback" not in french.err
    english = cli("eid", "readers", PCSCLITE_CSOCK_NAME=missing)
    assert english.code == 6
    assert "The PC/SC service (pcscd) is not running." in english.err


def test_pcsc_service_down_is_german_through_the_cli(cli, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-pcscd.comm")
    german = cli("eid", "readers", LANG=GERMAN, PCSCLITE_CSOCK_NAME=missing)
    assert german.code == 6, german.err
    assert "Der PC/SC-Dienst (pcscd) läuft nicht." in german.err
    assert "Installieren und starten Sie den PC/SC-Dienst" in german.err
    assert "Traceback" not in german.err


def test_doctor_speaks_french(cli, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-pcscd.comm")
    result = cli("eid", "doctor", LANG=FRENCH, PCSCLITE_CSOCK_NAME=missing)
    assert result.code == 6
    assert "service PC/SC" in result.out
    assert "ignoré : échec de « service PC/SC »" in result.out
    assert "solution : " in result.out
    raw = cli("eid", "doctor", "-o", "json", LANG=FRENCH, PCSCLITE_CSOCK_NAME=missing)
    assert '"name": "pcscd"' in raw.out  # machine output stays English
    assert "pcscd is installed but not running" in raw.out


@pytest.mark.parametrize(
    ("args", "french", "english"),
    [
        (
            ["eid", "bogus"],
            ["Utilisation : monespace eid", "Essayez 'monespace eid -h' pour l'aide.", "Erreur : "],
            ["Usage: monespace eid", "Try 'monespace eid -h' for help.", "Error: "],
        ),
        (
            ["eid", "readers", "extra"],
            ["Erreur : Argument(s) en trop inattendu(s) (extra)"],
            ["Error: Got unexpected extra argument(s) (extra)"],
        ),
        (["--bogus"], ["Erreur : Option inconnue : --bogus"], ["Error: No such option: --bogus"]),
    ],
)
def test_click_usage_errors_are_french(
    cli, args: list[str], french: list[str], english: list[str]
) -> None:
    fr = cli(*args, LANG=FRENCH)
    assert fr.code == 2
    for text in french:
        assert text in fr.err, fr.err
    en = cli(*args)
    for text in english:
        assert text in en.err, en.err


@pytest.mark.parametrize(
    ("args", "german"),
    [
        (
            ["eid", "bogus"],
            ["Aufruf: monespace eid", "Hilfe erhalten Sie mit 'monespace eid -h'.", "Fehler: "],
        ),
        (["--bogus"], ["Fehler: Unbekannte Option: --bogus"]),
    ],
)
def test_click_usage_errors_are_german(cli, args: list[str], german: list[str]) -> None:
    de = cli(*args, LANG=GERMAN)
    assert de.code == 2
    for text in german:
        assert text in de.err, de.err


def test_help_usage_line_is_french(cli) -> None:
    assert cli("eid", "--help", LANG=FRENCH).out.startswith("Utilisation : monespace eid")
    assert cli("eid", "--help").out.startswith("Usage: monespace eid")
