"""gettext catalogues: compiled files in sync, every framework message translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import ROOT

from monespace_cli.i18n import LANGUAGES, pick_language
from monespace_cli.i18n_compile import HEADER, compile_po, extract_messages, parse_po, po_path

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
    catalog[""] = HEADER.format(lang=lang)
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
