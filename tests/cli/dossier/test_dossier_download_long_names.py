"""Hostile file names against a real portal: every file is saved, none is lost.

An applicant names attachments with 120 emoji (468 bytes in UTF-8, more than
the 255 bytes a file name may have) and with a right-to-left override that
makes ``gpj.exe`` read as ``exe.jpg``. Both the applicant's ``dossier
download`` and the agent's ``agent download`` must save every file under a
name of at most 255 bytes that keeps its extension and shows no invisible
character — including the temporary ``.NAME.xxxxxxxx.part`` names and the
numbered ``NAME (2).pdf`` of a second file with the same name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_helpers import Result, cli_env, run_cli

from portal import pdf

ROOT = Path(__file__).resolve().parents[3]
#: Philippe Lambert, legal representative of the Fiduciaire (the applicant).
APPLICANT = "68031412135"
FIDUCIAIRE = "0856712314"
#: Maxime Piron, agent of SPW-EER (the service of CHEQUES-ENTREPRISES).
AGENT = "90060621186"
PROCEDURE = "CHEQUES-ENTREPRISES"

#: 484 bytes; this portal keeps 116 emoji (468 bytes), a stricter one 255 bytes: either
#: way the client must save it.
EMOJI = "🎉" * 120 + ".pdf"
DISGUISED = "facture\u202egpj.exe"


@pytest.fixture(scope="module")
def tokens(portal_server) -> Callable[[str], str]:
    from tests.conftest import session_token

    cache: dict[str, str] = {}

    def get(nrn: str) -> str:
        if nrn not in cache:
            cache[nrn] = session_token(portal_server.url, portal_server.pki_dir, nrn)
        return cache[nrn]

    return get


@pytest.fixture
def dossier(portal_server, tokens) -> dict[str, Any]:
    """A submitted dossier of the Fiduciaire with four hostile file names."""
    example = json.loads((ROOT / "portal/sandbox/procedures" / f"{PROCEDURE}.json").read_text())
    headers = {"Authorization": f"Bearer {tokens(APPLICANT)}", "X-Acting-As": FIDUCIAIRE}
    contents = {
        f"{EMOJI}#1": pdf.render(["Premier"]),
        f"{EMOJI}#2": pdf.render(["Second, same name"]),
        "é" * 125 + ".pdf#3": pdf.render(["254 bytes: only the .part name is too long"]),
        f"{DISGUISED}#4": pdf.render(["Disguised"]),
    }
    with httpx.Client(base_url=portal_server.url + "/api/v1", headers=headers, timeout=30) as h:
        made = h.post("/dossiers", json={"procedure": PROCEDURE, "data": example["example_data"]})
        assert made.status_code == 201, made.text
        dossier_id = made.json()["id"]
        for key, content in contents.items():
            name = key.rsplit("#", 1)[0]
            files = {"file": (name, content, "application/pdf")}
            added = h.post(
                f"/dossiers/{dossier_id}/attachments",
                data={"kind": "service_agreement"},
                files=files,
            )
            assert added.status_code == 201, added.text
        sent = h.post(f"/dossiers/{dossier_id}/submit", headers={"Idempotency-Key": dossier_id})
        assert sent.status_code == 200, sent.text
    return {"id": dossier_id, "contents": sorted(contents.values())}


def cli(portal_server, tokens, home: Path, nrn: str) -> Callable[..., Result]:
    home.mkdir(exist_ok=True)
    env = cli_env(home, MONESPACE_PORTAL=portal_server.url, MONESPACE_TOKEN=tokens(nrn))
    return lambda *args: run_cli(list(args), env)


def _check_saved(folder: Path, rows: list[dict[str, Any]], contents: list[bytes]) -> None:
    """``folder`` holds exactly the uploaded files, under safe names (the receipt is elsewhere)."""
    files = [p for p in folder.iterdir() if p.is_file()]
    rows = [r for r in rows if Path(r["path"]).parent == folder]
    assert sorted(p.read_bytes() for p in files) == contents  # every file, none lost
    assert not [p for p in files if p.name.endswith(".part")]
    for path in files:
        assert len(path.name.encode("utf-8")) <= 255, path.name
        assert "\u202e" not in path.name
    names = sorted(p.name for p in files)
    emoji = [n for n in names if n.startswith("🎉")]
    assert len(emoji) == 2 and all(n.endswith(".pdf") for n in emoji)
    assert any(n.endswith(" (2).pdf") for n in emoji)
    assert any(n.startswith("facturegpj.") for n in names)  # the portal may fix the type
    assert sorted(Path(r["path"]).name for r in rows) == names


def test_dossier_download_saves_every_hostile_name(
    dossier, portal_server, tokens, tmp_path: Path
) -> None:
    applicant = cli(portal_server, tokens, tmp_path / "home", APPLICANT)
    target = tmp_path / "dl"
    download = ("dossier", "download", dossier["id"], "--dir", str(target), "--as", FIDUCIAIRE)
    got = applicant(*download, "--only", "dossier", "-o", "json")
    assert got.code == 0, got.err
    _check_saved(target / "attachments", json.loads(got.out), dossier["contents"])
    again = applicant(*download, "--only", "dossier", "-o", "json")
    assert again.code == 0, again.err
    assert {row["status"] for row in json.loads(again.out)} == {"unchanged"}


def test_agent_download_saves_every_hostile_name(
    dossier, portal_server, tokens, tmp_path: Path
) -> None:
    agent = cli(portal_server, tokens, tmp_path / "home", AGENT)
    target = tmp_path / "got"
    got = agent("agent", "download", dossier["id"], "--dir", str(target), "-o", "json")
    assert got.code == 0, got.err
    _check_saved(target / "attachments", json.loads(got.out), dossier["contents"])
