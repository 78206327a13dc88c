"""gettext catalogues: compiled files in sync, every framework message translated."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import ROOT

from monespace_cli import i18n
from monespace_cli.i18n import LANGUAGES, pick_language
from monespace_cli.i18n_compile import (
    PLURAL_FORMS,
    compile_po,
    extract_messages,
    header,
    parse_po,
    po_path,
)
from monespace_cli.sizes import human_size

#: The modules of the CLI framework and its first commands (this helper's files).
OWN = [
    "app.py",
    "context.py",
    "output.py",
    "errors.py",
    "config.py",
    "credentials.py",
    "i18n.py",
    "assign.py",
    "commands/auth.py",
    "commands/profile.py",
    "commands/context.py",
    "commands/catalog.py",
    "commands/api.py",
    "commands/completion.py",
]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mo_files_are_compiled_from_the_po_files(lang: str) -> None:
    po = po_path(lang)
    catalog = parse_po(po.read_text(encoding="utf-8"))
    catalog[""] = header(lang)
    assert po.with_suffix(".mo").read_bytes() == compile_po(catalog), (
        "run: python -m monespace_cli.i18n_compile"
    )


def test_every_framework_message_has_a_french_translation() -> None:
    messages = extract_messages([ROOT / "monespace_cli" / name for name in OWN])
    french = parse_po(po_path("fr").read_text(encoding="utf-8"))
    missing = [m for m in messages if not french.get(m)]
    assert not missing
    for message in messages:  # placeholders survive translation
        for name in ("{portal}", "{detail}", "{path}", "{flag}", "{name}"):
            if name in message:
                assert name in french[message], message


def test_pick_language(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "fr_BE.UTF-8")
    assert pick_language({"fr": "Prime", "en": "Grant"}) == "Prime"
    monkeypatch.setenv("LANG", "de_BE.UTF-8")
    assert pick_language({"fr": "Prime", "en": "Grant", "de": "Prämie"}) == "Prämie"
    assert pick_language({"fr": "Prime", "en": "Grant"}) == "Grant"
    monkeypatch.setenv("LANG", "C")
    assert pick_language({"fr": "Prime"}) == "Prime"


def test_french_locale_gives_french_messages(cli) -> None:
    result = cli("auth", "token", LANG="fr_BE.UTF-8")
    assert result.code == 3
    assert "Vous n'êtes pas connecté" in result.err
    english = cli("auth", "token")
    assert "You are not logged in" in english.err


def test_french_help(cli) -> None:
    result = cli("--help", LANG="fr_BE.UTF-8")
    assert "Parcourir le catalogue des démarches." in result.out
    assert Path(po_path("fr")).exists()


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """``catalogue("de")``: this process's messages from that language's ``.mo``."""

    def use(lang: str) -> None:
        for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("LANG", f"{lang}_BE.UTF-8")
        loaded = gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, languages=[lang])
        monkeypatch.setattr(i18n, "_translation", loaded)

    return use


ROW = ("{n} row rejected; see the report.", "{n} rows rejected; see the report.")


@pytest.mark.parametrize(
    ("lang", "zero", "two"),
    [
        # French counts 0 as singular; German (like English) only 1.
        ("fr", "0 ligne rejetée ; voir le rapport.", "2 lignes rejetées ; voir le rapport."),
        ("de", "0 Zeilen abgelehnt; siehe Bericht.", "2 Zeilen abgelehnt; siehe Bericht."),
    ],
)
def test_plural_follows_the_catalogues_own_rule(
    catalogue: Callable[[str], None], lang: str, zero: str, two: str
) -> None:
    catalogue(lang)
    assert i18n.plural(0, *ROW).format(n=0) == zero
    assert i18n.plural(2, *ROW).format(n=2) == two
    assert i18n.plural(1, *ROW).format(n=1).startswith(("1 ligne rejetée", "1 Zeile abgelehnt"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalogue_states_its_plural_rule(lang: str) -> None:
    header = gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, languages=[lang]).info()
    assert header["plural-forms"] == PLURAL_FORMS[lang]


def test_english_without_a_catalogue_counts_like_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_translation", gettext.NullTranslations())
    assert i18n.plural(0, *ROW) == ROW[1]
    assert i18n.plural(1, *ROW) == ROW[0]


def test_a_german_locale_picks_german(catalogue: Callable[[str], None]) -> None:
    catalogue("de")
    assert i18n.chosen_language() == "de"
    assert i18n.accept_language() == "de, en;q=0.5"
    assert human_size(1536) == "1,5 KiB"
    assert i18n._("Log in") == "Anmelden"


def test_missing_lists_the_untranslated_msgids(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from monespace_cli import i18n_compile

    po = tmp_path / "de.po"
    po.write_text(
        i18n_compile.render_po("de", ["Log in", "Log out"], {"Log in": "Anmelden"}),
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n_compile, "po_path", lambda lang: po)
    assert i18n_compile.missing("de") == ["Log out"]
