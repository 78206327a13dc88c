"""Dossier detail against the real portal: answer a complement request with an
attachment, verify and save the receipt, see the QR code and pay (sandbox).

The agent (Manon Jacquet, SPW-ARNE, which handles PERMIS-PECHE) asks for a
complement over the real back-office API; the citizen answers from the TUI
by keyboard, attaching a PDF picked in the file picker. The portal is then
asked what happened — the screen could lie, the API does not.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from shell_helpers import make_app, run, token_for, wait_for
from textual.widgets import DataTable, DirectoryTree, Static

from monespace_cli.client import PortalClient
from tui import format as fmt
from tui.widgets.file_picker import FolderPrompt

AGENT = "98070305621"  # Manon Jacquet, agent of SPW-ARNE (PERMIS-PECHE)
DUE = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def _submitted_permit(url: str, token: str) -> str:
    with PortalClient(url, token=token) as client:
        dossier = client.create_dossier("PERMIS-PECHE", {"permit_type": "B", "year": 2027})
        client.submit_dossier(str(dossier["id"]))
    return str(dossier["id"])


def _ask_complement(portal_server: Any, dossier_id: str) -> None:
    token = token_for(portal_server.url, portal_server.pki_dir, AGENT)
    answer = httpx.post(
        f"{portal_server.url}/api/v1/agent/dossiers/{dossier_id}/complement",
        json={"message": "Merci de joindre une photo d'identité.", "due_date": DUE},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    if answer.status_code == 404 and "agent" not in answer.text.lower():
        pytest.skip("the back-office API (POST /agent/dossiers/{id}/complement) is not served")
    assert answer.status_code in (200, 201), answer.text


def _static(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def test_answer_a_complement_request_with_an_attachment(
    portal_server: Any, citizen_token: str, tmp_path: Path
) -> None:
    from portal import pdf
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.dossier import DossierScreen
    from tui.widgets.file_picker import FilePicker

    dossier_id = _submitted_permit(portal_server.url, citizen_token)
    _ask_complement(portal_server, dossier_id)
    photo = tmp_path / "photo.pdf"
    photo.write_bytes(pdf.render(["Photo d'identité"], title="Photo"))
    app = make_app(portal_server.url, token=citizen_token, files_dir=tmp_path)

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            dash = await wait_for(
                pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen
            )
            awaiting = dash.query_one("#awaiting", DataTable)
            await wait_for(
                pilot,
                lambda: (
                    any(item.dossier_id == dossier_id for item in dash.data.awaiting)
                    if dash.data
                    else False
                ),
            )
            item = next(i for i in dash.data.awaiting if i.dossier_id == dossier_id)
            assert item.kind == "complement" and item.due == fmt.day(DUE)  # shown dd/mm/yyyy
            assert "photo" in item.text
            # Open it from "awaiting me" with the keyboard.
            awaiting.focus()
            index = dash.data.awaiting.index(item)
            awaiting.move_cursor(row=index)
            await pilot.press("enter")
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, DossierScreen) and app.screen
            )
            await wait_for(pilot, lambda: screen.view is not None)
            assert fmt.day(DUE) in _static(screen, "#summary")

            await pilot.press("a")
            picker = await wait_for(
                pilot, lambda: isinstance(app.screen, FilePicker) and app.screen
            )
            tree = picker.query_one(DirectoryTree)
            await wait_for(pilot, lambda: tree.root.children)
            for _ in range(5):
                node = tree.cursor_node
                if node is not None and node.data is not None and Path(node.data.path) == photo:
                    break
                await pilot.press("down")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen)
            assert screen.attachment == photo
            await pilot.press(*"Voici la photo.", "enter")
            await wait_for(
                pilot, lambda: screen.view and screen.view.dossier["status"] == "in_review"
            )

    run(scenario())
    with PortalClient(portal_server.url, token=citizen_token) as client:
        assert client.get_dossier(dossier_id)["status"] == "in_review"
        last = client.list_messages(dossier_id)[-1]
    assert last["body"] == "Voici la photo." and last["author"]["role"] == "applicant"
    assert [a["filename"] for a in last["attachments"]] == ["photo.pdf"]


def test_receipt_seal_save_qr_and_sandbox_payment(
    portal_server: Any, citizen_token: str, tmp_path: Path
) -> None:
    from tui.screens.dossier import DossierScreen

    dossier_id = _submitted_permit(portal_server.url, citizen_token)
    app = make_app(portal_server.url, token=citizen_token, files_dir=tmp_path)
    notes: list[str] = []

    async def scenario() -> None:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            original = app.notify

            def spy(message: str, **kw: Any) -> None:
                notes.append(message)
                original(message, **kw)

            app.notify = spy  # type: ignore[method-assign]
            await pilot.pause()
            app.push_screen(DossierScreen(dossier_id))
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, DossierScreen) and app.screen
            )
            await wait_for(pilot, lambda: screen.view is not None and screen.view.documents)
            await pilot.press("4")
            assert "+++" in _static(screen, "#payment-text")
            assert "▀" in _static(screen, "#qr") or "█" in _static(screen, "#qr")
            await pilot.press("3")
            await pilot.press("v")
            await wait_for(pilot, lambda: any("Seal valid" in n for n in notes))
            await pilot.press("s")
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, FolderPrompt) and app.screen.focused is not None,
            )
            await pilot.press("enter")
            await wait_for(pilot, lambda: any(n.startswith("Saved to") for n in notes))
            await pilot.press("p")
            await wait_for(
                pilot, lambda: screen.view.payment and screen.view.payment["status"] == "paid"
            )

    run(scenario())
    saved = [p for p in tmp_path.iterdir() if p.suffix == ".pdf"]
    assert saved and saved[0].read_bytes().startswith(b"%PDF")
    with PortalClient(portal_server.url, token=citizen_token) as client:
        payment_id = client.get_dossier(dossier_id)["payment_id"]
        assert client.get_payment(str(payment_id))["status"] == "paid"
