"""Agents read the message thread and download attachments of their services' dossiers."""

from __future__ import annotations

from typing import Any

from tests.portal.periphery import files

from .conftest import EER_AGENT, TLPE_AGENT


def test_agent_reads_the_thread_and_downloads_its_attachments(
    citizen: Any, agent: Any, as_user: Any, submitted: dict[str, Any]
) -> None:
    dossier_id = submitted["id"]
    agent.ok("post", f"/agent/dossiers/{dossier_id}/claim")
    agent.ok(
        "post",
        f"/agent/dossiers/{dossier_id}/complement",
        json={"message": "Joignez une photo, svp.", "due_date": "2099-01-31"},
    )
    pdf = files.pdf_file("Permis de pêche — pièce")
    uploaded = citizen.post(
        f"/dossiers/{dossier_id}/attachments",
        data={"kind": "other"},
        files={"file": ("piece.pdf", pdf, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    attachment = uploaded.json()
    citizen.ok(
        "post",
        f"/dossiers/{dossier_id}/messages",
        201,
        json={"body": "Voici la pièce.", "attachment_ids": [attachment["id"]]},
    )
    thread = agent.ok("get", f"/agent/dossiers/{dossier_id}/messages")["items"]
    assert [(m["author"]["role"], m["complement_request"]) for m in thread] == [
        ("agent", True),
        ("applicant", False),
    ]
    assert thread[1]["attachments"][0]["id"] == attachment["id"]
    download = agent.get(f"/agent/attachments/{attachment['id']}/content")
    assert download.status_code == 200 and download.content == pdf
    # Other services' agents and citizens learn nothing.
    for outsider in (as_user(TLPE_AGENT), as_user(EER_AGENT)):
        assert outsider.get(f"/agent/dossiers/{dossier_id}/messages").status_code == 404
        got = outsider.get(f"/agent/attachments/{attachment['id']}/content")
        assert got.status_code == 404
    assert citizen.get(f"/agent/attachments/{attachment['id']}/content").status_code == 404
    assert agent.get("/agent/attachments/att_nope/content").status_code == 404
