"""The form's dialogs on their own (no portal): the file picker's tree and path box."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from form_host import wait_for
from textual.app import App
from textual.widgets import DirectoryTree, Input, Static

from tui.forms.modals import FilePicker

KINDS = [
    {
        "kind": "invoices",
        "title": {"fr": "Factures", "en": "Invoices"},
        "required": True,
        "content_types": ["application/pdf"],
    },
    {
        "kind": "plans",
        "title": {"fr": "Plans", "en": "Plans"},
        "required": False,
        "content_types": ["application/pdf", "image/png"],
    },
]


def _pick(start: Path, play: Any) -> Any:
    answers: list[Any] = []
    app: App[None] = App()

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(FilePicker(KINDS, "plans", start), answers.append)
            await pilot.pause()
            await play(app, pilot)
            await wait_for(pilot, lambda: bool(answers))

    asyncio.run(main())
    return answers[0]


def test_a_file_is_picked_in_the_directory_tree(tmp_path: Path) -> None:
    (tmp_path / "plan.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    async def play(app: App[None], pilot: Any) -> None:
        assert "image/png" in str(app.screen.query_one("#picker-types", Static).render())
        tree = app.screen.query_one(DirectoryTree)
        await wait_for(pilot, lambda: len(tree.root.children) == 1)
        tree.focus()
        await pilot.press("down", "enter")

    assert _pick(tmp_path, play) == ("plans", tmp_path / "plan.png")


def test_a_typed_path_that_is_not_a_file_is_refused_then_escape_cancels(tmp_path: Path) -> None:
    async def play(app: App[None], pilot: Any) -> None:
        box = app.screen.query_one("#picker-path", Input)
        box.value = str(tmp_path / "missing.pdf")
        await pilot.press("enter")
        await pilot.pause()
        assert "No such file" in str(app.screen.query_one("#picker-error", Static).render())
        await pilot.press("escape")

    assert _pick(tmp_path, play) is None


def test_the_receipt_says_how_to_pay_when_there_is_a_fee() -> None:
    from tui.screens.form import receipt_lines

    dossier = {
        "id": "MSP-2026-000042",
        "status": "submitted",
        "submitted_at": "2026-11-23T10:00:00Z",
        "receipt_document_id": "doc_1",
        "payment_id": "pay_1",
    }
    payment = {
        "amount": "12.39",
        "currency": "EUR",
        "beneficiary": "SPW",
        "iban": "BE68539007547034",
        "bic": "GKCCBEBB",
        "structured_ref": "+++123/4567/89002+++",
    }
    text = "\n".join(receipt_lines(dossier, payment))
    assert "MSP-2026-000042" in text and "doc_1" in text
    assert "12,39 EUR" in text and "+++123/4567/89002+++" in text and "BE68 5390 0754 7034" in text
    assert "pay" not in "\n".join(receipt_lines(dossier, None)).lower()


def test_the_attach_dialog_proposes_the_first_required_kind_still_without_a_file() -> None:
    from tui.forms.modals import first_to_attach

    kinds = [
        {"kind": "consent", "required": False},
        {"kind": "invoices", "required": True},
        {"kind": "income", "required": True},
    ]
    assert first_to_attach(kinds, set()) == "invoices"
    assert first_to_attach(kinds, {"invoices"}) == "income"
    assert first_to_attach(kinds, {"invoices", "income"}) == "consent"
    assert first_to_attach(kinds, {"invoices", "income", "consent"}) == "consent"
    assert first_to_attach([], set()) is None
