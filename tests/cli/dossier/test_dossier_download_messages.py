"""``dossier download`` saves the messages' files too, against a real portal.

An agent sends files with a complement request through the real CLI
(``agent complement --attach``), the applicant answers with a file of their
own, then downloads everything with ``dossier download``: the agent's files
must arrive byte for byte, a second run must add nothing, a file the person
edited is never overwritten without ``--force``, and another person's dossier
is a 404 (exit 4) that leaves no folder behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Result, cli_env, run_cli

from monespace_cli.commands._shared.file_saver import FileSaver
from monespace_cli.errors import CliError
from portal import pdf

ROOT = Path(__file__).resolve().parents[3]
#: Philippe Lambert, legal representative of the Fiduciaire (the applicant).
APPLICANT = "68031412135"
FIDUCIAIRE = "0856712314"
#: Maxime Piron, agent of SPW-EER (the service of CHEQUES-ENTREPRISES).
AGENT = "90060621186"
#: Sophie Lejeune: a citizen with no right on the Fiduciaire's dossiers.
OTHER = "83110208625"
PROCEDURE = "CHEQUES-ENTREPRISES"


@pytest.fixture(scope="module")
def tokens(portal_server) -> Callable[[str], str]:
    """``tokens(nrn)``: one real challenge–response session per person."""
    from tests.conftest import session_token

    cache: dict[str, str] = {}

    def get(nrn: str) -> str:
        if nrn not in cache:
            cache[nrn] = session_token(portal_server.url, portal_server.pki_dir, nrn)
        return cache[nrn]

    return get


@pytest.fixture
def person(tmp_path: Path, portal_server, tokens) -> Callable[[str], Callable[..., Result]]:
    """``person(nrn)("dossier", "list")``: the real CLI logged in as that person."""

    def make(nrn: str) -> Callable[..., Result]:
        home = tmp_path / f"home-{nrn}"
        home.mkdir(exist_ok=True)
        env = cli_env(home, MONESPACE_PORTAL=portal_server.url, MONESPACE_TOKEN=tokens(nrn))
        return lambda *args: run_cli(list(args), env)

    return make


def ok_json(result: Result) -> Any:
    assert result.code == 0, (result.code, result.err)
    return json.loads(result.out)


def _png() -> bytes:
    from tests.portal.periphery import files

    return files.png()


@pytest.fixture
def asked_dossier(portal_server, tokens, person, tmp_path: Path) -> dict[str, Any]:
    """A submitted dossier of the Fiduciaire; the agent asked for a complement with
    three files (two named ``annexe.pdf``) and the applicant answered with one."""
    import httpx

    example = json.loads((ROOT / "portal/sandbox/procedures" / f"{PROCEDURE}.json").read_text())
    headers = {"Authorization": f"Bearer {tokens(APPLICANT)}", "X-Acting-As": FIDUCIAIRE}
    own = pdf.render(["Convention de prestation", "Signée"], title="Convention")
    with httpx.Client(base_url=portal_server.url + "/api/v1", headers=headers, timeout=30) as h:
        made = h.post("/dossiers", json={"procedure": PROCEDURE, "data": example["example_data"]})
        assert made.status_code == 201, made.text
        dossier_id = made.json()["id"]
        files = {"file": ("convention.pdf", own, "application/pdf")}
        added = h.post(
            f"/dossiers/{dossier_id}/attachments", data={"kind": "service_agreement"}, files=files
        )
        assert added.status_code == 201, added.text
        sent = h.post(f"/dossiers/{dossier_id}/submit", headers={"Idempotency-Key": dossier_id})
        assert sent.status_code == 200, sent.text

    sources = tmp_path / "sources"
    (sources / "a").mkdir(parents=True)
    (sources / "b").mkdir()
    agent_files = {
        "a/annexe.pdf": pdf.render(["Annexe 1 à compléter"]),
        "b/annexe.pdf": pdf.render(["Annexe 2 : barème"]),
        "plan.png": _png(),
    }
    for name, content in agent_files.items():
        (sources / name).write_bytes(content)
    attach = [arg for name in agent_files for arg in ("--attach", str(sources / name))]
    asked = person(AGENT)(
        "agent", "complement", dossier_id, "--message", "Complétez les annexes.",
        "--due", "+14d", *attach, "-o", "json",
    )  # fmt: skip
    assert ok_json(asked)["status"] == "awaiting_complement"

    answer = sources / "réponse signée.pdf"
    answer.write_bytes(pdf.render(["Annexes complétées"]))
    answered = person(APPLICANT)(
        "message", "send", dossier_id, "Voici les annexes.",
        "--attach", str(answer), "--as", FIDUCIAIRE,
    )  # fmt: skip
    assert answered.code == 0, answered.err
    return {"id": dossier_id, "own": own, "agent": agent_files, "answer": answer.read_bytes()}


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path (hidden ``.part`` files included)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_applicant_gets_the_agents_files_and_a_rerun_adds_nothing(
    asked_dossier, person, tmp_path: Path
) -> None:
    applicant = person(APPLICANT)
    target = tmp_path / "dl"
    dossier_id = asked_dossier["id"]
    download = ("dossier", "download", dossier_id, "--dir", str(target), "--as", FIDUCIAIRE)

    rows = ok_json(applicant(*download, "-o", "json"))
    got = _files(target)
    agent = asked_dossier["agent"]
    assert got["attachments/convention.pdf"] == asked_dossier["own"]
    # Same name twice in one run: both kept, in the thread's order.
    assert {got["messages/annexe.pdf"], got["messages/annexe (2).pdf"]} == {
        agent["a/annexe.pdf"],
        agent["b/annexe.pdf"],
    }
    assert got["messages/plan.png"] == agent["plan.png"]
    assert got["messages/réponse signée.pdf"] == asked_dossier["answer"]
    assert not [name for name in got if name.endswith(".part")]
    assert {row["status"] for row in rows} == {"saved"}
    messages = [row for row in rows if row["kind"] == "message"]
    assert len(messages) == 4 and all(row["message_id"] for row in messages)
    thread = ok_json(applicant("message", "list", dossier_id, "--as", FIDUCIAIRE, "-o", "json"))
    request = next(m for m in thread if m["complement_request"])
    from_agent = {r["id"] for r in messages if r["message_id"] == request["id"]}
    assert from_agent == {a["id"] for a in request["attachments"]}
    roles = sorted(r["author"]["role"] for r in messages)
    assert roles == ["agent", "agent", "agent", "applicant"]
    assert all(r["author"] is None for r in rows if r["kind"] != "message")

    again = ok_json(applicant(*download, "-o", "json"))
    assert _files(target) == got  # nothing duplicated, nothing rewritten differently
    assert {row["status"] for row in again} == {"unchanged"}
    assert [row["path"] for row in again] == [row["path"] for row in rows]

    human = applicant(*download)
    assert human.code == 0, human.err
    assert "plan.png" in human.out and "agent Maxime Piron" in human.out
    assert "unchanged" in human.out and "Traceback" not in human.err


def test_an_edited_file_is_kept_unless_force(asked_dossier, person, tmp_path: Path) -> None:
    applicant = person(APPLICANT)
    target = tmp_path / "dl"
    download = ("dossier", "download", asked_dossier["id"], "--dir", str(target))
    assert applicant(*download, "--as", FIDUCIAIRE).code == 0
    plan = target / "messages" / "plan.png"
    plan.write_bytes(b"my notes")

    kept = ok_json(applicant(*download, "--only", "messages", "--as", FIDUCIAIRE, "-o", "json"))
    assert plan.read_bytes() == b"my notes"
    copy = target / "messages" / "plan (2).png"
    assert copy.read_bytes() == asked_dossier["agent"]["plan.png"]
    assert {r["kind"] for r in kept} == {"message"}
    assert [r["status"] for r in kept if r["path"] == str(copy)] == ["saved"]

    copy.unlink()
    forced = applicant(*download, "--force", "--as", FIDUCIAIRE, "-o", "json")
    assert [r["status"] for r in ok_json(forced) if r["path"] == str(plan)] == ["replaced"]
    assert plan.read_bytes() == asked_dossier["agent"]["plan.png"]
    assert not copy.exists()


def test_only_dossier_skips_the_thread(asked_dossier, person, tmp_path: Path) -> None:
    target = tmp_path / "own"
    rows = ok_json(
        person(APPLICANT)(
            "dossier", "download", asked_dossier["id"], "--dir", str(target),
            "--only", "dossier", "--as", FIDUCIAIRE, "-o", "json",
        )
    )  # fmt: skip
    assert rows and {r["kind"] for r in rows} <= {"attachment", "document"}
    assert not (target / "messages").exists()


def test_bad_only_and_someone_elses_dossier(asked_dossier, person, tmp_path: Path) -> None:
    target = tmp_path / "nope"
    bad = person(APPLICANT)(
        "dossier", "download", asked_dossier["id"], "--only", "everything", "--dir", str(target)
    )
    assert bad.code == 2 and "--only" in bad.err
    stranger = person(OTHER)("dossier", "download", asked_dossier["id"], "--dir", str(target))
    assert stranger.code == 4, (stranger.code, stranger.err)
    assert "Traceback" not in stranger.err
    assert not target.exists()


def test_corrupted_bytes_leave_no_file(tmp_path: Path) -> None:
    """A download whose bytes do not match the announced sha256 is refused, nothing kept."""
    import hashlib

    good = b"%PDF-1.4 good"
    saver = FileSaver()
    with pytest.raises(CliError, match="sha256"):
        saver.save(
            tmp_path, "x.pdf", hashlib.sha256(good).hexdigest(), lambda out: out.write(b"bad")
        )
    assert list(tmp_path.iterdir()) == []
    path, status = saver.save(
        tmp_path, "../x.pdf", hashlib.sha256(good).hexdigest(), lambda out: out.write(good)
    )
    assert (path, status) == (tmp_path / "x.pdf", "saved") and path.read_bytes() == good
