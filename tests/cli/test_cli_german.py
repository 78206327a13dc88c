"""``LANG=de_BE.UTF-8`` gives the CLI in German, as the German-speaking Community reads it.

The real command runs in a subprocess: help (Typer's sections too), an error
with its hint and exit code, a table's headers from the real portal, and the
``Accept-Language`` the portal receives.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from cli_helpers import Result, answer_on_a_terminal, cli_env, run_cli

GERMAN = "de_BE.UTF-8"
#: Marie Claire Dubois, citizen.
CITIZEN = "86040203095"


def test_help_is_german(cli: Callable[..., Result]) -> None:
    top = cli("--help", LANG=GERMAN)
    assert top.code == 0, top.err
    assert top.out.startswith("Aufruf: monespace [OPTIONEN] BEFEHL [ARGUMENTE]...")
    assert "[OPTIONS]" not in top.out and "COMMAND" not in top.out
    nouns = "Ihre Akten anlegen, ausfüllen, einreichen und verfolgen."
    for text in ("Optionen:", "Befehle:", nouns):
        assert text in top.out, top.out
    assert "Create, fill, submit" not in top.out
    noun = cli("dossier", "--help", LANG=GERMAN)
    assert noun.code == 0, noun.err
    assert "Eine Akte einreichen; gibt die Empfangsbestätigung" in noun.out, noun.out
    assert "Eine Akte zurückziehen" in noun.out


def test_an_error_says_what_to_do_in_german(cli: Callable[..., Result]) -> None:
    result = cli("auth", "token", LANG=GERMAN)
    assert result.code == 3, result.err
    assert "Fehler: Sie sind nicht bei " in result.err
    assert "Melden Sie sich an mit: monespace auth login" in result.err
    bad = cli("profile", "use", "nope", LANG=GERMAN)
    assert bad.code == 2, bad.err
    assert "Fehler: Kein Profil namens nope.\nDie Profile anzeigen mit: monespace profile list" in (
        bad.err
    )


def test_a_table_has_german_headers(portal_server: Any, tmp_path: Path) -> None:
    env = cli_env(
        tmp_path,
        MONESPACE_PORTAL=portal_server.url,
        LANG=GERMAN,
        MONESPACE_FORCE_TTY="1",  # a terminal's table: with its header
        COLUMNS="200",
    )
    result = run_cli(["catalog", "list"], env)
    assert result.code == 0, result.err
    header = result.out.splitlines()[0].split()
    assert header == ["CODE", "TITEL", "ZIELGRUPPE", "GEBÜHR", "GESETZL.", "FRIST"], header
    assert "kostenlos" in result.out  # a free procedure's fee


def test_catalogue_rows_read_as_german(portal_server: Any, tmp_path: Path) -> None:
    """Audiences by name, the decimal comma, and "1 Tag" (not "1 Tage")."""
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url, LANG=GERMAN)
    result = run_cli(["catalog", "list"], env)
    assert result.code == 0, result.err
    rows = {line.split("\t")[0]: line.split("\t") for line in result.out.splitlines()}
    assert rows["DOGID"][2:] == ["Bürger", "kostenlos", "1 Tag"], rows["DOGID"]
    assert rows["CU1"][2:] == [
        "Bürger, Unternehmen, gemeinnützige Organisationen",
        "30,00 EUR",
        "30 Tage",
    ], rows["CU1"]
    show = run_cli(["catalog", "show", "PERMIS-PECHE"], env)
    assert show.code == 0, show.err
    assert "fee\t12,39 EUR" in show.out and "legal_days\t1 Tag" in show.out, show.out
    assert "citizen" not in show.out


def test_an_unreachable_portal_is_said_in_german(tmp_path: Path) -> None:
    """No portal answered, so no German problem detail: the reason is the CLI's to translate."""
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    env = cli_env(tmp_path, MONESPACE_PORTAL=url, LANG=GERMAN)
    result = run_cli(["catalog", "list"], env)
    assert result.code == 1, result.err
    assert f"Das Portal ist nicht erreichbar: keine Verbindung zum Portal ({url})" in result.err
    assert "cannot connect" not in result.err


class _Recorder(BaseHTTPRequestHandler):
    """Answers every request with an empty list and keeps its Accept-Language."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("Accept-Language", ""))
        body = b'{"items": [], "next_cursor": null}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    seen: ClassVar[list[str]] = []
    _Recorder.seen = seen
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_the_portal_is_asked_for_german(recorder: tuple[str, list[str]], tmp_path: Path) -> None:
    url, seen = recorder
    env = cli_env(tmp_path, MONESPACE_PORTAL=url, LANG=GERMAN, MONESPACE_FORCE_TTY="1")
    result = run_cli(["catalog", "list"], env)
    assert result.code == 0, result.err
    assert seen and seen[0] == "de, en;q=0.5", seen
    assert "Kein Verfahren entspricht den Kriterien." in result.out + result.err


def test_a_german_confirmation_takes_j(portal_server: Any, login: Any, tmp_path: Path) -> None:
    token = login(portal_server.url, CITIZEN)
    made = httpx.post(
        portal_server.url + "/api/v1/dossiers",
        json={"procedure": "PERMIS-PECHE"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 201, made.text
    dossier = made.json()["id"]
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url, MONESPACE_TOKEN=token, LANG=GERMAN)
    question = f"Akte {dossier} zurückziehen? Dies kann nicht rückgängig gemacht werden. [j/N]"
    code, screen = answer_on_a_terminal(["dossier", "withdraw", dossier], env, question, "j")
    assert code == 0, screen
    assert f"Akte {dossier} zurückgezogen." in screen, screen


@pytest.mark.parametrize(("typed", "meant"), [("ja", True), ("J", True), ("nein", False)])
def test_german_yes_and_no_fill_a_boolean(typed: str, meant: bool) -> None:
    from monespace_cli.commands.dossier.data_input import coerce

    assert coerce(typed, {"type": "boolean"}) is meant
