"""The real CLI against the real portal on loopback: each command, format and exit code."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Result, cli_env, run_cli

CITIZEN = "74011920708"  # Luc Mathieu, legal representative of the bakery below
BAKERY = "0641238591"  # Boulangerie Mathieu SRL
STRANGER_ORG = "0893450271"  # Ardenne Digital SA: Luc holds no role there


@pytest.fixture
def portal_env(portal_server: Any, home: Path) -> dict[str, str]:
    """A CLI environment whose sandbox profile points at the test portal."""
    return cli_env(home, MONESPACE_PORTAL=portal_server.url)


@pytest.fixture
def pcli(portal_env: dict[str, str]) -> Callable[..., Result]:
    def run(*args: str, input: str | None = None, **extra: str) -> Result:
        return run_cli(list(args), {**portal_env, **extra}, input=input)

    return run


def citizen_procedure(pcli: Callable[..., Result]) -> str:
    """A procedure a citizen may start for themself."""
    found = pcli("catalog", "list", "--audience", "citizen", "--jq", ".[0].code")
    return found.out.strip()


@pytest.fixture
def token(portal_server: Any, login: Callable[..., str]) -> str:
    return login(portal_server.url, CITIZEN)


def test_catalog_list_in_every_format(pcli: Callable[..., Result]) -> None:
    table = pcli("catalog", "list")
    assert table.code == 0, table.err
    lines = table.out.splitlines()
    assert len(lines) >= 12 and all(len(line.split("\t")) == 5 for line in lines)
    as_json = json.loads(pcli("catalog", "list", "-o", "json").out)
    codes = [p["code"] for p in as_json]
    assert codes == sorted(codes) and lines[0].split("\t")[0] == codes[0]
    assert {"code", "title", "audience", "fee", "legal_days"} <= set(as_json[0])
    jsonl = pcli("catalog", "list", "--output", "jsonl").out.splitlines()
    assert [json.loads(line)["code"] for line in jsonl] == codes
    rows = list(csv.DictReader(io.StringIO(pcli("catalog", "list", "-o", "csv").out)))
    assert [r["code"] for r in rows] == codes and "title.fr" in rows[0]
    jq = pcli("catalog", "list", "--jq", ".[].code")
    assert jq.out.split() == codes


def test_catalog_filters_and_empty_results(pcli: Callable[..., Result]) -> None:
    everything = json.loads(pcli("catalog", "list", "-o", "json").out)
    citizens = json.loads(pcli("catalog", "list", "--audience", "citizen", "-o", "json").out)
    assert citizens and len(citizens) < len(everything)
    assert all("citizen" in p["audience"] for p in citizens)
    none = pcli("catalog", "list", "--search", "zzzz-no-such-thing-zzzz")
    assert none.code == 0 and none.out == ""
    assert json.loads(pcli("catalog", "list", "-s", "zzzz-none", "-o", "json").out) == []


def test_catalog_show_and_form(pcli: Callable[..., Result]) -> None:
    code = json.loads(pcli("catalog", "list", "-o", "json").out)[0]["code"]
    shown = pcli("catalog", "show", code, MONESPACE_FORCE_TTY="1")
    assert shown.code == 0, shown.err
    assert code in shown.out and "Form fields" in shown.out and "REQUIRED" in shown.out
    as_json = json.loads(pcli("catalog", "show", code, "-o", "json").out)
    assert as_json["code"] == code and "form" in as_json
    form = json.loads(pcli("catalog", "form", code).out)
    assert form == as_json["form"] and "properties" in form
    french = pcli("catalog", "show", code, MONESPACE_FORCE_TTY="1", LANG="fr_BE.UTF-8")
    assert "Champs du formulaire" in french.out and as_json["title"]["fr"] in french.out
    # Field titles follow the locale too (the forms' x-title-en beside title).
    english_cu1 = pcli("catalog", "show", "CU1", MONESPACE_FORCE_TTY="1", LANG="en_GB.UTF-8")
    assert "Applicant" in english_cu1.out and "Demandeur" not in english_cu1.out
    french_cu1 = pcli("catalog", "show", "CU1", MONESPACE_FORCE_TTY="1", LANG="fr_BE.UTF-8")
    assert "Demandeur" in french_cu1.out
    missing = pcli("catalog", "show", "NO-SUCH-PROCEDURE")
    assert missing.code == 4 and missing.err.startswith("error: Not found")


def test_auth_status_token_and_logout(pcli: Callable[..., Result], token: str) -> None:
    status = pcli("auth", "status", MONESPACE_TOKEN=token)
    assert status.code == 0, status.err
    assert CITIZEN in status.out and "MONESPACE_TOKEN" in status.out
    as_json = json.loads(pcli("auth", "status", "-o", "json", MONESPACE_TOKEN=token).out)
    assert as_json["person"]["nrn"] == CITIZEN and as_json["token_source"] == "env"
    assert as_json["session_expires_at"]
    printed = pcli("auth", "token", MONESPACE_TOKEN=token)
    assert printed.code == 0 and printed.out.strip() == token and printed.err == ""
    out = pcli("auth", "logout", MONESPACE_TOKEN=token)
    assert out.code == 0, out.err
    revoked = pcli("auth", "status", MONESPACE_TOKEN=token)
    assert revoked.code == 3 and "monespace auth login" in revoked.err
    assert pcli("context", "list", MONESPACE_TOKEN=token).code == 3


def test_bogus_token_is_exit_3(pcli: Callable[..., Result]) -> None:
    result = pcli("auth", "status", MONESPACE_TOKEN="not-a-real-token")
    assert result.code == 3 and "Traceback" not in result.err


def test_contexts(pcli: Callable[..., Result], token: str, home: Path) -> None:
    listed = json.loads(pcli("context", "list", "-o", "json", MONESPACE_TOKEN=token).out)
    ids = [c["id"] for c in listed]
    assert "me" in ids and BAKERY in ids
    assert next(c for c in listed if c["current"])["id"] == "me"
    table = pcli("context", "list", MONESPACE_TOKEN=token)
    assert any(line.startswith("*\tme") for line in table.out.splitlines())
    used = pcli("context", "use", BAKERY, MONESPACE_TOKEN=token)
    assert used.code == 0, used.err
    assert f'context = "{BAKERY}"' in (home / "monespace" / "config.toml").read_text()
    now = json.loads(pcli("context", "list", "-o", "json", MONESPACE_TOKEN=token).out)
    assert next(c for c in now if c["current"])["id"] == BAKERY
    override = json.loads(
        pcli("--as", "me", "auth", "status", "-o", "json", MONESPACE_TOKEN=token).out
    )
    assert override["acting_as"] == "me"
    refused = pcli("context", "use", STRANGER_ORG, MONESPACE_TOKEN=token)
    assert refused.code == 3 and STRANGER_ORG in refused.err


def test_acting_for_a_stranger_is_refused_by_the_portal(
    pcli: Callable[..., Result], token: str
) -> None:
    result = pcli("--as", STRANGER_ORG, "api", "GET", "dossiers", MONESPACE_TOKEN=token)
    assert result.code == 3, (result.out, result.err)


def test_api_get_post_paginate_and_problems(pcli: Callable[..., Result], token: str) -> None:
    me = pcli("api", "GET", "me", MONESPACE_TOKEN=token)
    assert me.code == 0, me.err
    assert json.loads(me.out)["person"]["nrn"] == CITIZEN
    nrn = pcli("api", "GET", "/api/v1/me", "--jq", ".person.nrn", MONESPACE_TOKEN=token)
    assert nrn.out.strip() == CITIZEN
    health = pcli("api", "GET", "/healthz")
    assert json.loads(health.out) == {"status": "ok"}
    page = json.loads(pcli("api", "GET", "procedures", "-f", "limit=2").out)
    assert len(page["items"]) == 2 and page["next_cursor"]
    every = json.loads(pcli("api", "GET", "procedures", "-f", "limit=2", "--paginate").out)
    full = json.loads(pcli("catalog", "list", "-o", "json").out)
    assert [p["code"] for p in every["items"]] == [p["code"] for p in full]
    code = citizen_procedure(pcli)
    created = pcli(
        "api",
        "POST",
        "dossiers",
        "-f",
        f"procedure={code}",
        "-H",
        "Idempotency-Key: k-1",
        MONESPACE_TOKEN=token,
    )
    assert created.code == 0, created.err
    dossier = json.loads(created.out)
    assert dossier["status"] == "draft" and dossier["procedure"] == code
    again = pcli(
        "api",
        "POST",
        "dossiers",
        "--data",
        json.dumps({"procedure": code}),
        "-H",
        "Idempotency-Key: k-1",
        MONESPACE_TOKEN=token,
    )
    assert json.loads(again.out)["id"] == dossier["id"]
    missing = pcli("api", "GET", "dossiers/MSP-1999-999999", MONESPACE_TOKEN=token)
    assert missing.code == 4
    assert json.loads(missing.out)["status"] == 404  # the problem document, for scripts
    bad = pcli("api", "POST", "dossiers", "--data", "{}", MONESPACE_TOKEN=token)
    assert bad.code == 5, (bad.out, bad.err)
    anonymous = pcli("api", "GET", "me")
    assert anonymous.code == 3


def test_api_reads_data_from_a_file_and_stdin(
    pcli: Callable[..., Result], token: str, tmp_path: Path
) -> None:
    code = citizen_procedure(pcli)
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"procedure": code}))
    from_file = pcli("api", "POST", "dossiers", "--data", f"@{body}", MONESPACE_TOKEN=token)
    assert from_file.code == 0, from_file.err
    from_stdin = pcli(
        "api",
        "POST",
        "dossiers",
        "--data",
        "@-",
        input=json.dumps({"procedure": code}),
        MONESPACE_TOKEN=token,
    )
    assert from_stdin.code == 0, from_stdin.err
    assert pcli("api", "POST", "dossiers", "--data", f"@{tmp_path / 'nope.json'}").code == 2


def test_portal_restarts_are_survived(pcli: Callable[..., Result], portal_server: Any) -> None:
    portal_server.stop()
    try:
        down = pcli("catalog", "list")
        assert down.code == 1 and "cannot be reached" in down.err
    finally:
        portal_server.start()
    assert pcli("catalog", "list").code == 0
