"""The export dialog against the real portal: files read back with csv and json.

The applicant's name of the exported dossier is set to a spreadsheet formula
(directly in the portal's database, as the portal's own export tests do):
the cell must come back prefixed with ``'``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from agent_actions_support import AGENT, play, said, until
from textual.widgets import Input, RadioButton, SelectionList

from monespace_cli.client import EXPORT_FIELDS as FIELDS
from tui.widgets.agent_dialog_export import ExportDialog
from tui.widgets.roles_confirm import ConfirmModal

NASTY = '=HYPERLINK("http://evil.example","x")'


def _rename_applicant(database_url: str, dossier_id: str, name: str) -> None:
    from sqlalchemy import create_engine, update

    from portal.models import Dossier, parse_dossier_id

    parsed = parse_dossier_id(dossier_id)
    assert parsed is not None
    engine = create_engine(database_url)
    try:
        with engine.begin() as db:
            db.execute(update(Dossier).where(Dossier.id == parsed[1]).values(applicant_name=name))
    finally:
        engine.dispose()


def _rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_export_csv_excel_and_jsonl(portal_server, token, new_dossiers, tmp_path) -> None:
    (ident,) = new_dossiers(1)
    _rename_applicant(portal_server.database_url, ident, NASTY)
    target = tmp_path / f"queue-{dt.date.today().isoformat()}.csv"
    seen: dict[str, Any] = {}

    async def export(app, screen, pilot) -> None:
        screen.filters = {"q": ident, "status": "all", "sort": "age", "cursor": "c", "limit": 50}
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        assert app.screen.query_one("#path", Input).value == str(target)
        await pilot.press("enter")
        await until(pilot, lambda: said(app, "Exported"))
        seen["csv"] = _rows(target)
        seen["csv-bytes"] = target.read_bytes()

        # the same file again, for Excel: asked first; "n" keeps it
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        app.screen.query(RadioButton)[1].value = True
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("n")
        await until(pilot, lambda: said(app, "was kept"))
        assert target.read_bytes() == seen["csv-bytes"]
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        app.screen.query(RadioButton)[1].value = True
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        app.said.clear()
        await pilot.press("y")
        await until(pilot, lambda: said(app, "Exported"))
        seen["excel-bytes"] = target.read_bytes()

        # JSON Lines with two columns: the file name follows the format
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        dialog = app.screen
        dialog.query(RadioButton)[2].value = True
        chooser = dialog.query_one("#fields", SelectionList)
        chooser.deselect_all()
        chooser.select("status")
        chooser.select("id")
        await pilot.pause()
        seen["jsonl-path"] = Path(dialog.query_one("#path", Input).value)
        dialog.query_one("#path", Input).focus()
        app.said.clear()
        await pilot.press("enter")
        await until(pilot, lambda: said(app, "Exported"))

    app = play(portal_server.url, token(AGENT), export, files_dir=tmp_path)
    assert not app.errors
    header, *rows = seen["csv"]
    assert header == list(FIELDS) and len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["id"] == ident and row["applicant_name"] == "'" + NASTY
    assert said(app, f"Exported 1 dossier(s) to {seen['jsonl-path']}.")

    excel = seen["excel-bytes"]
    assert excel.startswith(b"\xef\xbb\xbf")
    assert _rows(target, ";")[1][FIELDS.index("applicant_name")] == "'" + NASTY

    jsonl = seen["jsonl-path"]
    assert jsonl == target.with_suffix(".jsonl")
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert lines == [{"id": ident, "status": "submitted"}]
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left behind
