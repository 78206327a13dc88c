"""The form screen driven with Pilot against the real portal (uvicorn, sandbox).

A citizen fills PRIME-HABITATION — the sandbox procedure with an
``if``/``then`` condition (a tenant must name the landlord), a repeatable
group (the works, 1–20 rows) and required attachments — saves, attaches
real PDF files through the file picker and submits after the confirmation.
Other tests: the portal's own messages land on their fields, a condition
shows and hides its fields, a saved draft reads back, a stale save offers a
reload, rows are added and removed with the keyboard.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from form_host import FormHost, choose, errors_of, field, put, screen_text, type_in, wait_for
from textual.widgets import Button, Input, Select, Switch

from monespace_cli.client import PortalClient
from tui.forms.modals import ConfirmSubmit, FilePicker, Receipt, StaleDraft
from tui.forms.widgets import AttachmentsPanel
from tui.screens.form import FormScreen

PROCEDURE = "PRIME-HABITATION"
Scenario = Callable[[FormHost, FormScreen, Any], Awaitable[None]]


def drive(
    portal_server: Any,
    token: str,
    dossier_id: str,
    scenario: Scenario,
    size: tuple[int, int] = (80, 24),
    files_dir: Path | None = None,
) -> FormHost:
    """Open the form of ``dossier_id`` and play ``scenario`` once it is loaded."""
    screen = FormScreen(dossier_id, files_dir=files_dir)
    app = FormHost(portal_server.url, token, screen)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, lambda: screen.loaded or bool(app.errors))
            assert not app.errors, app.errors
            await scenario(app, screen, pilot)

    asyncio.run(main())
    return app


async def switch_on(pilot: Any, screen: FormScreen, pointer: str) -> None:
    box = field(screen, pointer).query_one(Switch)
    box.focus()
    await pilot.press("space")
    assert box.value is True


async def attach(pilot: Any, app: FormHost, screen: FormScreen, kind: str, path: Path) -> None:
    """ctrl+f, choose the kind, type the path, Enter: the file is uploaded."""
    await pilot.press("ctrl+f")
    await wait_for(pilot, lambda: isinstance(app.screen, FilePicker))
    picker = app.screen
    picker.query_one("#picker-kind", Select).value = kind
    await pilot.pause()
    box = picker.query_one("#picker-path", Input)
    box.focus()
    box.value = str(path)
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: any(a["kind"] == kind for a in screen.dossier.get("attachments") or []),
    )


def pdf(tmp_path: Path, name: str) -> Path:
    from portal import pdf as render

    path = tmp_path / name
    path.write_bytes(render.render([name], title=name))
    return path


def test_fill_conditional_form_with_rows_and_attachments_then_submit(
    portal_server: Any, citizen_token: str, new_dossier: Any, api: PortalClient, tmp_path: Path
) -> None:
    dossier = new_dossier(PROCEDURE)
    seen: dict[str, Any] = {}

    async def scenario(app: FormHost, screen: FormScreen, pilot: Any) -> None:
        # Prefilled from the national register, marked with its source.
        assert field(screen, "/applicant/surname").query_one(Input).value == "Lambert"
        assert "from the National Register" in str(
            field(screen, "/applicant/surname").query_one(".field-title").render()
        )
        # The condition: a tenant names the landlord.
        assert not field(screen, "/dwelling/landlord").display
        choose(screen, "/dwelling/occupancy", "tenant")
        await pilot.pause()
        assert field(screen, "/dwelling/landlord").display
        put(screen, "/dwelling/landlord/name", "Jean Propriétaire")
        put(screen, "/dwelling/landlord/address/street", "Rue Haute")
        put(screen, "/dwelling/landlord/address/number", "3")
        put(screen, "/dwelling/landlord/address/postal_code", "5000")
        put(screen, "/dwelling/landlord/address/municipality", "Namur")
        await switch_on(pilot, screen, "/dwelling/landlord/consent")
        put(screen, "/household/members", "3")
        put(screen, "/household/dependent_children", "1")
        choose(screen, "/household/income_category", "R3")
        put(screen, "/audit/reference", "AL-2025-004812")
        await type_in(pilot, screen, "/audit/date", "18/03/2025")
        put(screen, "/audit/auditor_name", "Bureau Énergie Mosane")
        # The first row of works (minItems 1), then ctrl+n for a second one.
        choose(screen, "/works/0/category", "roof_insulation")
        put(screen, "/works/0/contractor_bce", "0712394031")
        put(screen, "/works/0/invoice_number", "F2026-0131")
        put(screen, "/works/0/invoice_date", "02/04/2026")
        await type_in(pilot, screen, "/works/0/amount_excl_vat", "8450,5")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: _has(screen, "/works/1/category"))
        choose(screen, "/works/1/category", "windows")
        put(screen, "/works/1/description", "Châssis double vitrage")
        put(screen, "/works/1/contractor_bce", "0712394031")
        put(screen, "/works/1/invoice_number", "F2026-0188")
        put(screen, "/works/1/invoice_date", "14/05/2026")
        put(screen, "/works/1/amount_excl_vat", "12390,50")
        await type_in(pilot, screen, "/iban", "be75 0634 1872 1551")
        await switch_on(pilot, screen, "/sworn")
        await pilot.pause()
        assert errors_of(screen, "/works/0/amount_excl_vat") == ""
        # Save: the portal now only misses the attachments.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.dossier["version"] > dossier["version"])
        panel = screen.query_one(AttachmentsPanel)
        assert "required" in str(panel.query_one("#kind-error-invoices").render())
        for kind in ("electrical_conformity", "invoices", "income_proof"):
            await attach(pilot, app, screen, kind, pdf(tmp_path, f"{kind}.pdf"))
        # Submit: the confirmation lists the fields and files that will be sent.
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmSubmit) or bool(app.errors))
        assert not app.errors, app.errors
        confirm = app.screen
        seen["summary"] = str(confirm.query_one("#summary-fields").render())
        seen["files"] = str(confirm.query_one("#summary-files").render())
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, Receipt) or bool(app.errors))
        assert not app.errors, app.errors
        seen["receipt"] = str(app.screen.query_one("#receipt-text").render())
        # Closing the receipt leaves the form (it can no longer change) for the dossier.
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DossierScreen")
        assert not any(isinstance(s, FormScreen) for s in app.screen_stack)

    drive(portal_server, citizen_token, dossier["id"], scenario, files_dir=tmp_path)

    assert "Jean Propriétaire" in seen["summary"]
    assert "8450,50" in seen["summary"] and "Roof insulation" in seen["summary"]
    assert "18/03/2025" in seen["summary"]
    assert "invoices.pdf" in seen["files"] and "income_proof.pdf" in seen["files"]
    assert dossier["id"] in seen["receipt"] and "submitted" in seen["receipt"]
    stored = api.get_dossier(dossier["id"])
    assert stored["status"] == "submitted"
    data = stored.get("data") or {}
    assert data["dwelling"]["landlord"]["name"] == "Jean Propriétaire"
    assert data["dwelling"]["landlord"]["consent"] is True
    assert data["audit"]["date"] == "2025-03-18"
    assert [w["amount_excl_vat"] for w in data["works"]] == ["8450.50", "12390.50"]
    assert data["works"][1]["invoice_date"] == "2026-05-14"
    assert data["iban"] == "BE75063418721551"
    assert data["household"] == {"members": 3, "dependent_children": 1, "income_category": "R3"}
    kinds = sorted(a["kind"] for a in stored.get("attachments") or [])
    assert kinds == ["electrical_conformity", "income_proof", "invoices"]


def _has(screen: FormScreen, pointer: str) -> bool:
    try:
        field(screen, pointer)
    except AssertionError:
        return False
    return True


def test_portal_messages_are_shown_on_their_fields(
    portal_server: Any, citizen_token: str, new_dossier: Any
) -> None:
    """``POST /validate`` after a save: each pointer's message under its field."""
    dossier = new_dossier(PROCEDURE, {"dwelling": {"occupancy": "tenant"}})

    async def scenario(app: FormHost, screen: FormScreen, pilot: Any) -> None:
        assert field(screen, "/dwelling/landlord").display  # tenant: the landlord is asked
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.dossier["version"] > dossier["version"])
        await pilot.pause()
        # The portal's errors, in the shared human sentences (never "True was expected").
        assert "This field is required." in errors_of(screen, "/dwelling/landlord/name")
        assert "This must be confirmed." in errors_of(screen, "/dwelling/landlord/consent")
        assert "This field is required." in errors_of(screen, "/household/members")
        assert "This field is required." in errors_of(screen, "/works/0/category")
        assert "expected" not in screen_text(app)
        assert errors_of(screen, "/applicant/surname") == ""  # prefilled: fine
        assert "⚠" in screen_text(app)

    drive(portal_server, citizen_token, dossier["id"], scenario)


def test_a_condition_shows_and_hides_its_fields(
    portal_server: Any, citizen_token: str, new_dossier: Any
) -> None:
    dossier = new_dossier(PROCEDURE)

    async def scenario(app: FormHost, screen: FormScreen, pilot: Any) -> None:
        landlord = field(screen, "/dwelling/landlord")
        assert not landlord.display
        # With the keyboard: open the select, type to search "Tenant", Enter.
        select = field(screen, "/dwelling/occupancy").query_one(Select)
        select.focus()
        await pilot.press("enter")
        await pilot.press("t", "e", "n")
        await pilot.press("enter")
        await pilot.pause()
        assert field(screen, "/dwelling/occupancy").value() == "tenant"
        assert landlord.display
        put(screen, "/dwelling/landlord/name", "Jean Propriétaire")
        await pilot.pause()
        assert screen.collect()["dwelling"]["landlord"]["name"] == "Jean Propriétaire"
        choose(screen, "/dwelling/occupancy", "owner")
        await pilot.pause()
        assert not landlord.display
        assert "landlord" not in screen.collect()["dwelling"]
        choose(screen, "/dwelling/occupancy", "tenant")  # back: what was typed is still there
        await pilot.pause()
        assert screen.collect()["dwelling"]["landlord"]["name"] == "Jean Propriétaire"

    drive(portal_server, citizen_token, dossier["id"], scenario)


def test_a_saved_draft_reads_back(
    portal_server: Any, citizen_token: str, new_dossier: Any, api: PortalClient
) -> None:
    dossier = new_dossier(PROCEDURE)

    async def fill(app: FormHost, screen: FormScreen, pilot: Any) -> None:
        await type_in(pilot, screen, "/audit/reference", "AL-2025-004812")
        await type_in(pilot, screen, "/audit/date", "18/03/2025")
        choose(screen, "/household/income_category", "R2")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.dossier["version"] > dossier["version"])
        assert not screen.dirty()

    drive(portal_server, citizen_token, dossier["id"], fill)
    stored = api.get_dossier(dossier["id"]).get("data") or {}
    assert stored["audit"] == {"reference": "AL-2025-004812", "date": "2025-03-18"}

    async def reread(app: FormHost, screen: FormScreen, pilot: Any) -> None:
        assert field(screen, "/audit/reference").query_one(Input).value == "AL-2025-004812"
        assert field(screen, "/audit/date").query_one(Input).value == "18/03/2025"
        assert field(screen, "/household/income_category").value() == "R2"

    drive(portal_server, citizen_token, dossier["id"], reread)


def test_a_stale_save_offers_to_reload(
    portal_server: Any, citizen_token: str, new_dossier: Any, api: PortalClient
) -> None:
    dossier = new_dossier(PROCEDURE)

    async def scenario(app: FormHost, screen: FormScreen, pilot: Any) -> None:
        # Someone else saves meanwhile (another window, a mandataire...).
        api.put_dossier_data(
            dossier["id"], {"audit": {"auditor_name": "Elsewhere"}}, version=dossier["version"]
        )
        put(screen, "/audit/auditor_name", "Here")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, StaleDraft))
        app.screen.query_one("#stale-reload", Button).press()
        await wait_for(pilot, lambda: not isinstance(app.screen, StaleDraft) and screen.loaded)
        await wait_for(pilot, lambda: screen.dossier["version"] > dossier["version"])
        assert field(screen, "/audit/auditor_name").query_one(Input).value == "Elsewhere"

    drive(portal_server, citizen_token, dossier["id"], scenario)
    assert (api.get_dossier(dossier["id"]).get("data") or {})["audit"]["auditor_name"] == (
        "Elsewhere"
    )


def test_rows_are_added_and_removed_with_the_keyboard(
    portal_server: Any, citizen_token: str, new_dossier: Any
) -> None:
    dossier = new_dossier(PROCEDURE)

    async def scenario(app: FormHost, screen: FormScreen, pilot: Any) -> None:
        works = field(screen, "/works")
        assert len(works.rows()) == 1
        field(screen, "/works/0/invoice_number").query_one(Input).focus()
        await pilot.press("ctrl+n")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: len(works.rows()) == 3)
        put(screen, "/works/1/invoice_number", "second")
        put(screen, "/works/2/invoice_number", "third")
        field(screen, "/works/1/invoice_number").query_one(Input).focus()
        await pilot.press("ctrl+r")  # removes the row holding the focus
        await wait_for(pilot, lambda: len(works.rows()) == 2)
        numbers = [w.get("invoice_number") for w in screen.collect()["works"]]
        assert numbers == [None, "third"]
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: len(works.rows()) == 1)
        await pilot.press("ctrl+r")  # minItems 1: the last row stays
        await pilot.pause()
        assert len(works.rows()) == 1

    drive(portal_server, citizen_token, dossier["id"], scenario)


def test_a_submit_refused_by_the_portal_shows_its_errors_on_the_fields(
    portal_server: Any, citizen_token: str, new_dossier: Any, api: PortalClient, tmp_path: Path
) -> None:
    """The data changes between the confirmation and the submit: the 422 lands on the field."""
    import json

    definition = json.loads(
        (
            Path(__file__).resolve().parents[3] / "portal/sandbox/procedures/PRIME-HABITATION.json"
        ).read_text(encoding="utf-8")
    )
    dossier = new_dossier(PROCEDURE, definition["example_data"])
    for kind in ("electrical_conformity", "invoices", "income_proof"):
        path = pdf(tmp_path, f"{kind}.pdf")
        api.add_attachment(
            dossier["id"], kind, path.name, path.read_bytes(), content_type="application/pdf"
        )

    async def scenario(app: FormHost, screen: FormScreen, pilot: Any) -> None:
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmSubmit) or bool(app.errors))
        assert not app.errors, app.errors
        # Meanwhile, another window breaks the audit reference.
        current = api.get_dossier(dossier["id"])
        broken = dict(current.get("data") or {})
        broken["audit"] = {**broken["audit"], "reference": "AL-25"}
        api.put_dossier_data(dossier["id"], broken, version=current["version"])
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "⚠" in errors_of(screen, "/audit/reference"))
        assert "does not match" in errors_of(screen, "/audit/reference")
        assert not isinstance(app.screen, Receipt)

    drive(portal_server, citizen_token, dossier["id"], scenario)
    assert api.get_dossier(dossier["id"])["status"] == "draft"
