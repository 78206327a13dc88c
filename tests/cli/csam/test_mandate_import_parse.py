"""Reading the mandate import CSV: separators, BOM, header, and rows rejected with a reason."""

from __future__ import annotations

from monespace_cli.commands._mandate_import import REJECTED, parse


def test_semicolons_bom_header_and_domain_lists() -> None:
    text = "\ufeffbce;domains;valid_from;valid_until\n0459811078;employment,economy;2026-01-01;\n"
    (row,) = parse(text)
    assert (row.line, row.bce, row.domains) == (2, "0459811078", ["employment", "economy"])
    assert (row.valid_from, row.valid_until, row.result) == ("2026-01-01", None, "")


def test_commas_with_pipes_and_rejections() -> None:
    text = (
        "0459811078,employment|economy,,2027-12-31\n"
        "0459811079,employment,,\n"
        "0893450271,space,,\n"
        "0641238591,economy,2026-13-01,\n"
        "0459811078,health,,\n"
        "\n"
        "0641238591,,,\n"
    )
    rows = parse(text)
    assert [r.result for r in rows] == ["", REJECTED, REJECTED, REJECTED, REJECTED, REJECTED]
    assert "BCE" in rows[1].detail
    assert "space" in rows[2].detail
    assert "2026-13-01" in rows[3].detail
    assert "line 1" in rows[4].detail
    assert rows[5].line == 7 and "domain" in rows[5].detail


def test_belgian_dates_as_in_every_other_command() -> None:
    text = "0459811078;employment;01/01/2026;31/12/2029\n0641238591;economy;;31/02/2029\n"
    ok, bad = parse(text)
    assert (ok.valid_from, ok.valid_until, ok.result) == ("2026-01-01", "2029-12-31", "")
    assert bad.result == REJECTED and "31/02/2029" in bad.detail
