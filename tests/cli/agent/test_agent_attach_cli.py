"""``agent complement --attach``: files sent with a complement request, end to end.

The agent attaches files with the real CLI; the applicant sees them in the
thread (``message list``) and downloads them through ``monespace api``
(``dossier download`` saving them too is tested in
tests/cli/dossier/test_dossier_download_messages.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from agent_support import AGENT, APPLICANT, FIDUCIAIRE, OUTSIDER, ROOT
from cli_helpers import cli_env

from monespace_cli.client import PortalClient, ValidationFailed
from portal import pdf


def ok_json(result: Any) -> Any:
    assert result.code == 0, (result.code, result.err)
    return json.loads(result.out)


def _png() -> bytes:
    from tests.portal.periphery import files

    return files.png()


def _cli_bytes(env: dict[str, str], *args: str) -> bytes:
    """The CLI's stdout as bytes (a downloaded file), exit 0 required."""
    done = subprocess.run(
        [sys.executable, "-m", "monespace_cli", *args],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def test_complement_with_files_reaches_the_applicant(
    agent, applicant, file_dossier, tmp_path: Path, portal_server, tokens
) -> None:
    dossier_id = file_dossier()
    form = tmp_path / "formulaire annexe.pdf"
    form.write_bytes(pdf.render(["Annexe à compléter", "et à renvoyer"]))
    plan = tmp_path / "plan.png"
    plan.write_bytes(_png())
    asked = agent(
        "agent", "complement", dossier_id,
        "--message", "Complétez l'annexe jointe et vérifiez le plan.",
        "--due", "+14d", "--attach", str(form), "--attach", str(plan), "-o", "json",
    )  # fmt: skip
    assert ok_json(asked)["status"] == "awaiting_complement"

    thread = ok_json(applicant("message", "list", dossier_id, "--as", FIDUCIAIRE, "-o", "json"))
    request = thread[-1]
    assert request["complement_request"] is True
    sent = {a["filename"]: a for a in request["attachments"]}
    assert set(sent) == {"formulaire annexe.pdf", "plan.png"}
    assert all(a["kind"] == "agent" for a in sent.values())
    human = applicant("message", "list", dossier_id, "--as", FIDUCIAIRE)
    assert "formulaire annexe.pdf" in human.out

    env = cli_env(
        tmp_path / "applicant-raw",
        MONESPACE_PORTAL=portal_server.url,
        MONESPACE_TOKEN=tokens(APPLICANT),
    )
    path = f"/attachments/{sent['formulaire annexe.pdf']['id']}/content"
    assert _cli_bytes(env, "api", "GET", path, "--as", FIDUCIAIRE) == form.read_bytes()
    # The agent's own download has them too (message attachments).
    saved = agent("agent", "download", dossier_id, "--dir", str(tmp_path / "got"), "-o", "json")
    assert plan.read_bytes() in [Path(r["path"]).read_bytes() for r in ok_json(saved)]


def test_complement_attach_errors_are_clear_and_send_nothing(
    agent, as_person, file_dossier, tmp_path: Path
) -> None:
    dossier_id = file_dossier()
    missing = agent(
        "agent", "complement", dossier_id, "--message", "x", "--due", "+7d",
        "--attach", str(tmp_path / "nope.pdf"),
    )  # fmt: skip
    assert missing.code == 2 and "nope.pdf" in missing.err

    disguised = tmp_path / "rapport.pdf"
    with zipfile.ZipFile(disguised, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    refused = agent(
        "agent", "complement", dossier_id, "--message", "x", "--due", "+7d",
        "--attach", str(disguised),
    )  # fmt: skip
    assert refused.code == 5, refused.err
    assert "Traceback" not in refused.err and "PDF" in refused.err
    shown = ok_json(agent("agent", "show", dossier_id, "-o", "json"))
    assert shown["status"] == "submitted"  # nothing was asked

    many = [str(tmp_path / "rapport.pdf")] * 11
    too_many = agent(
        "agent", "complement", dossier_id, "--message", "x", "--due", "+7d",
        *[arg for name in many for arg in ("--attach", name)],
    )  # fmt: skip
    assert too_many.code == 2

    form = tmp_path / "annexe.pdf"
    form.write_bytes(pdf.render(["Annexe"]))
    outsider = as_person(OUTSIDER)(
        "agent", "complement", dossier_id, "--message", "x", "--due", "+7d",
        "--attach", str(form),
    )  # fmt: skip
    assert outsider.code == 4, outsider.err


def test_client_uploads_then_names_the_files(portal_server, tokens, file_dossier, tmp_path) -> None:
    first, second = file_dossier(), file_dossier()
    form = tmp_path / "annexe.pdf"
    form.write_bytes(pdf.render(["Annexe"]))
    with PortalClient(portal_server.url, token=tokens(AGENT)) as client:
        attachment = client.agent_upload_attachment(first, form)
        assert attachment["kind"] == "agent" and attachment["filename"] == "annexe.pdf"
        try:
            client.request_complement(second, "x", "2099-01-31", attachment_ids=[attachment["id"]])
        except ValidationFailed as exc:
            assert [e["pointer"] for e in exc.errors] == ["/attachment_ids/0"]
        else:
            raise AssertionError("another dossier's file was accepted")
        done = client.request_complement(
            first, "Annexe jointe.", "2099-01-31", attachment_ids=[attachment["id"]]
        )
        assert done["status"] == "awaiting_complement"
