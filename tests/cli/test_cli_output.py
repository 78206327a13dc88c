"""The output helper: every format, CSV safety, jq, table fitting."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monespace_cli.errors import UsageProblem
from monespace_cli.output import Column, Printer, csv_safe, flatten, get_path

ITEMS = [
    {
        "code": "RENO",
        "title": {"fr": "Prime rénovation", "en": "Renovation grant"},
        "fee": None,
        "audience": ["citizen"],
        "legal_days": 60,
    },
    {
        "code": "APE",
        "title": {"fr": "Aide APE", "en": "APE aid"},
        "fee": {"amount": "37.18", "currency": "EUR"},
        "audience": ["enterprise", "non_profit"],
        "legal_days": 30,
    },
]
COLUMNS = [Column("code", "CODE"), Column("title", "TITLE"), Column("fee", "FEE")]


def printer(fmt: str = "table", **kw: object) -> tuple[Printer, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Printer(out, err, fmt=fmt, **kw), out, err  # type: ignore[arg-type]


def test_table_on_a_terminal_has_header_and_aligned_columns() -> None:
    p, out, _ = printer(tty=True, width=100)
    p.list(ITEMS, COLUMNS)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["CODE", "TITLE", "FEE"]
    assert "Renovation grant" in lines[1]
    assert "37.18 EUR" in lines[2]
    assert lines[1].index("Renovation") == lines[2].index("APE aid")


def test_piped_table_is_tab_separated_without_header_or_colour() -> None:
    p, out, _ = printer(tty=False, color=False)
    p.list(ITEMS, COLUMNS)
    assert out.getvalue().splitlines() == ["RENO\tRenovation grant\t", "APE\tAPE aid\t37.18 EUR"]


def test_colour_only_when_enabled() -> None:
    p, out, _ = printer(tty=True, color=True)
    p.list(ITEMS, COLUMNS)
    assert "\x1b[" in out.getvalue()
    p, out, _ = printer(tty=True, color=False)
    p.list(ITEMS, COLUMNS)
    assert "\x1b[" not in out.getvalue()


def test_table_fits_the_terminal_width() -> None:
    long = [{"code": "X", "title": "word " * 60, "fee": None}]
    p, out, _ = printer(tty=True, width=60)
    p.list(long, COLUMNS)
    assert all(len(line) <= 60 for line in out.getvalue().splitlines())
    assert "…" in out.getvalue()


def test_french_locale_picks_french_titles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "fr_BE")
    p, out, _ = printer(tty=False)
    p.list(ITEMS, COLUMNS)
    assert "Prime rénovation" in out.getvalue()


def test_json_keeps_api_objects_whole() -> None:
    p, out, _ = printer("json")
    p.list(ITEMS, COLUMNS)
    assert json.loads(out.getvalue()) == ITEMS


def test_jsonl_is_one_object_a_line() -> None:
    p, out, _ = printer("jsonl")
    p.list(ITEMS, COLUMNS)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == ITEMS


def test_csv_flattens_nested_fields_with_api_names() -> None:
    p, out, _ = printer("csv")
    p.list(ITEMS, COLUMNS)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["code"] == "RENO"
    assert rows[0]["title.fr"] == "Prime rénovation"
    assert rows[1]["fee.amount"] == "37.18"
    assert json.loads(rows[1]["audience"]) == ["enterprise", "non_profit"]


def test_csv_cells_cannot_start_a_formula() -> None:
    p, out, _ = printer("csv")
    p.list(
        [
            {
                "name": '=HYPERLINK("http://evil")',
                "ref": "+++123/4567/89002+++",
                "n": "-37.18",
                "at": "@SUM(A1)",
            }
        ],
        ["name"],
    )
    row = next(iter(csv.DictReader(io.StringIO(out.getvalue()))))
    assert row["name"].startswith("'=")
    assert row["ref"] == "'+++123/4567/89002+++"
    assert row["n"] == "-37.18"
    assert row["at"].startswith("'@")


@given(st.text())
def test_csv_safe_never_leaves_a_dangerous_first_character(text: str) -> None:
    safe = csv_safe(text)
    if safe and safe[0] in "=+-@\t\r\n":
        float(safe)  # only plain numbers may start with a sign
    assert safe.endswith(text)


def test_jq_filters_and_prints_strings_raw() -> None:
    p, out, _ = printer("table", jq=".[].code")
    p.list(ITEMS, COLUMNS)
    assert out.getvalue().splitlines() == ["RENO", "APE"]
    p, out, _ = printer("json", jq="map(select(.legal_days < 50)) | length")
    p.list(ITEMS, COLUMNS)
    assert out.getvalue().strip() == "1"


def test_bad_jq_is_a_usage_error() -> None:
    p, _, _ = printer("json", jq=".[")
    with pytest.raises(UsageProblem):
        p.list(ITEMS, COLUMNS)


def test_jq_with_csv_is_refused() -> None:
    with pytest.raises(UsageProblem):
        printer("csv", jq=".")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(UsageProblem):
        printer("xml")


def test_empty_list_is_not_an_error() -> None:
    p, out, err = printer("table", tty=True)
    p.list([], COLUMNS, empty="Nothing.")
    assert out.getvalue() == "" and err.getvalue().strip() == "Nothing."
    p, out, _ = printer("json")
    p.list([], COLUMNS)
    assert json.loads(out.getvalue()) == []


def test_object_is_label_value_lines() -> None:
    p, out, _ = printer("table", tty=True)
    p.object(ITEMS[1], [Column("code", "Code"), Column("fee", "Fee")])
    assert out.getvalue().splitlines() == ["Code  APE", "Fee   37.18 EUR"]
    p, out, _ = printer("table", tty=False)
    p.object(ITEMS[1], [Column("code", "Code"), Column("fee", "Fee")])
    assert out.getvalue().splitlines() == ["code\tAPE", "fee\t37.18 EUR"]


def test_show_context_goes_to_stderr_on_a_terminal() -> None:
    p, out, err = printer("table", tty=True, context="0403170701")
    p.list(ITEMS, COLUMNS, show_context=True)
    assert "0403170701" in err.getvalue() and "0403170701" not in out.getvalue()


def test_get_path_and_flatten() -> None:
    assert get_path({"a": {"b": 1}}, "a.b") == 1
    assert get_path({"a": 1}, "a.b") is None
    assert flatten({"a": {"b": 1, "c": {"d": 2}}, "e": []}) == {"a.b": 1, "a.c.d": 2, "e": []}
