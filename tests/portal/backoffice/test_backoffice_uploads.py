"""Agents attach files to a complement request; the applicant gets them with the message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.portal.periphery import files

from .conftest import CITIZEN, EER_AGENT, TLPE_AGENT, User

DUE = "2099-01-31"


def _upload(user: User, dossier_id: str, content: bytes, name: str = "modele.pdf") -> Any:
    return user.post(
        f"/agent/dossiers/{dossier_id}/attachments",
        files={"file": (name, content, "application/octet-stream")},
    )


def _complement(user: User, dossier_id: str, ids: list[str]) -> Any:
    body = {"message": "Complétez le formulaire joint.", "due_date": DUE, "attachment_ids": ids}
    return user.post(f"/agent/dossiers/{dossier_id}/complement", json=body)


def test_agent_file_reaches_the_applicant_with_the_complement_request(
    citizen: User, agent: User, submitted: dict[str, Any]
) -> None:
    dossier_id = submitted["id"]
    pdf = files.pdf_file("Formulaire à compléter")
    answer = _upload(agent, dossier_id, pdf, name="../../etc/Formulaire annexe.PDF")
    assert answer.status_code == 201, answer.text
    attachment = answer.json()
    assert attachment["kind"] == "agent"
    assert attachment["filename"] == "Formulaire annexe.pdf"  # no path parts, honest extension
    assert attachment["content_type"] == "application/pdf" and attachment["size"] == len(pdf)

    # Before the request is sent the file is the agent's draft: the applicant sees nothing.
    assert citizen.ok("get", f"/dossiers/{dossier_id}")["attachments"] == []
    assert citizen.get(f"/attachments/{attachment['id']}/content").status_code == 404
    assert agent.ok("get", f"/agent/dossiers/{dossier_id}")["attachments"] == []
    got = agent.get(f"/agent/attachments/{attachment['id']}/content")
    assert got.status_code == 200 and got.content == pdf

    dossier = agent.ok(
        "post",
        f"/agent/dossiers/{dossier_id}/complement",
        json={
            "message": "Complétez le formulaire joint.",
            "due_date": DUE,
            "attachment_ids": [attachment["id"]],
        },
    )
    assert dossier["status"] == "awaiting_complement"
    thread = citizen.ok("get", f"/dossiers/{dossier_id}/messages")["items"]
    assert thread[-1]["complement_request"] is True
    assert [a["id"] for a in thread[-1]["attachments"]] == [attachment["id"]]
    download = citizen.get(f"/attachments/{attachment['id']}/content")
    assert download.status_code == 200 and download.content == pdf
    # Still a message's file, not one of the dossier's own; no upload event for anybody.
    assert citizen.ok("get", f"/dossiers/{dossier_id}")["attachments"] == []
    history = agent.ok("get", f"/agent/dossiers/{dossier_id}/history")["items"]
    assert "attachment_added" not in [e["type"] for e in history]
    # A file goes with one message only.
    assert _complement(agent, dossier_id, [attachment["id"]]).status_code in (409, 422)


def test_agent_uploads_are_checked_like_the_applicants(
    agent: User, submitted: dict[str, Any]
) -> None:
    dossier_id = submitted["id"]
    disguised = _upload(agent, dossier_id, files.zip_file(), name="rapport.pdf")
    assert disguised.status_code == 415
    assert disguised.headers["content-type"].startswith("application/problem+json")
    html = _upload(agent, dossier_id, b"<html><script>alert(1)</script></html>", name="a.png")
    assert html.status_code == 415
    png = _upload(agent, dossier_id, files.png(), name="plan")
    assert png.status_code == 201 and png.json()["filename"] == "plan.png"
    no_file = agent.post(f"/agent/dossiers/{dossier_id}/attachments", data={"kind": "other"})
    assert no_file.status_code == 400


def test_only_the_callers_unsent_files_of_that_dossier_go_with_a_request(
    citizen: User,
    agent: User,
    supervisor: User,
    submit_permit: Callable[[], dict[str, Any]],
) -> None:
    first, second = submit_permit()["id"], submit_permit()["id"]
    theirs = citizen.post(
        f"/dossiers/{first}/attachments",
        data={"kind": "other"},
        files={"file": ("piece.pdf", files.pdf_file(), "application/pdf")},
    )
    assert theirs.status_code == 201, theirs.text
    other_dossier = _upload(agent, second, files.pdf_file()).json()
    colleague = _upload(supervisor, first, files.pdf_file()).json()
    for ids in ([theirs.json()["id"]], [other_dossier["id"]], [colleague["id"]], ["att_nope"]):
        refused = _complement(agent, first, ids)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["pointer"] == "/attachment_ids/0"
    mine = _upload(agent, first, files.jpeg()).json()
    assert _complement(agent, first, [mine["id"]]).status_code == 200


def test_outsiders_and_closed_dossiers(
    as_user: Callable[[str], User], agent: User, submitted: dict[str, Any]
) -> None:
    dossier_id = submitted["id"]
    pdf = files.pdf_file()
    for outsider in (as_user(TLPE_AGENT), as_user(EER_AGENT), as_user(CITIZEN)):
        assert _upload(outsider, dossier_id, pdf).status_code == 404
    uploaded = _upload(agent, dossier_id, pdf).json()
    assert (
        as_user(TLPE_AGENT).get(f"/agent/attachments/{uploaded['id']}/content").status_code == 404
    )
    agent.ok("post", f"/agent/dossiers/{dossier_id}/claim")
    agent.ok(
        "post",
        f"/agent/dossiers/{dossier_id}/decision",
        json={"outcome": "refuse", "motivation": "Hors délai."},
    )
    assert _upload(agent, dossier_id, pdf).status_code == 409
    assert _upload(agent, "MSP-2026-999999", pdf).status_code == 404


@pytest.fixture
def small_limit_client(portal_database: str, pki_dir: Path) -> Iterator[Any]:
    """A portal whose upload limit is 2 KB."""
    from fastapi.testclient import TestClient

    from portal.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(portal_database, pki_dir, max_upload=2048))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


def test_agent_upload_over_the_limit_is_413(small_limit_client: Any, login: Any) -> None:
    from .conftest import ARNE_AGENT, PERMIT

    citizen = User(small_limit_client, login(small_limit_client, CITIZEN), CITIZEN)
    agent = User(small_limit_client, login(small_limit_client, ARNE_AGENT), ARNE_AGENT)
    made = citizen.ok("post", "/dossiers", 201, json={"procedure": "PERMIS-PECHE", "data": PERMIT})
    citizen.ok("post", f"/dossiers/{made['id']}/submit")
    big = files.png(extra=b"x" * 4096)
    assert _upload(agent, made["id"], big).status_code == 413
    assert _upload(agent, made["id"], files.png()).status_code == 201
