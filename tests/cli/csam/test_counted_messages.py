"""Counted messages say "1 row", "2 rows" (and "1 ligne", "2 lignes"), never "row(s)"."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import run_cli
from csam_support import ARDENNE, BOULANGERIE, FIDUCIAIRE, SOPHIE


def test_mandate_import_counts_one_rejected_row(cli_as, tmp_path: Path) -> None:
    sophie = cli_as(SOPHIE)
    rows = tmp_path / "clients.csv"
    rows.write_text(f"{BOULANGERIE};employment;;\n{ARDENNE};space;;\n", encoding="utf-8")
    args = ["mandate", "import", str(rows), "--mandataire", FIDUCIAIRE]
    english = run_cli(args, sophie.env)
    assert english.code == 7, english.err
    assert "error: 1 row rejected; see the report." in english.err
    french = run_cli(args, {**sophie.env, "LANG": "fr_BE.UTF-8"})
    assert french.code == 7, french.err
    assert "1 ligne rejetée ; voir le rapport." in french.err
    assert "(s)" not in english.err + french.err
