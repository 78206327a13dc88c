"""Property tests of the sheet reader: any Excel-style file → the same records.

Records are generated, written the way Excel in Belgium writes them (``;``,
cp1252 or UTF-8 with BOM, CRLF, quoting only where needed, trailing empty
columns) or the way scripts do (UTF-8 ``,``), and read back with the
encoding and separator *detected*: the result must be the records written,
or a clear :class:`SheetError` — never other records.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from monespace_cli.bulk.coerce import CellError, coerce_cell
from monespace_cli.bulk.sheet import SheetError, decode, read_csv_text

CP1252_TEXT = st.characters(
    codec="cp1252", exclude_categories=("Cs", "Cc"), exclude_characters="\x00"
) | st.sampled_from([";", ",", '"', "\n", "\r", "\t", " ", "=", "€", "é", "ü"])
ANY_TEXT = st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from(
    [";", ",", '"', "\n", "\t"]
)
NAMES = st.from_regex(r"\A/[a-z_]{1,8}(/[0-9a-z_]{1,6}){0,2}\Z").filter(lambda n: True)


@st.composite
def tables(draw: st.DrawFn, alphabet: st.SearchStrategy[str]) -> tuple[list[str], list[list[str]]]:
    columns = draw(st.lists(NAMES, min_size=1, max_size=6, unique=True))
    values = st.text(alphabet, max_size=12)
    rows = draw(
        st.lists(
            st.lists(values, min_size=len(columns), max_size=len(columns)).filter(
                lambda cells: any(c.strip() for c in cells)
            ),
            min_size=1,
            max_size=8,
        )
    )
    return columns, rows


def excel_bytes(
    columns: list[str], rows: list[list[str]], *, delimiter: str, encoding: str, trailing: int
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([*columns, *[""] * trailing])
    for row in rows:
        writer.writerow([*row, *[""] * trailing])
    return buffer.getvalue().encode(encoding)


def expected(columns: list[str], rows: list[list[str]]) -> list[dict[str, str]]:
    """Excel's record: ``\\r\\n`` inside a quoted cell is read back as written."""
    return [dict(zip(columns, row, strict=True)) for row in rows]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=tables(CP1252_TEXT),
    encoding=st.sampled_from(["cp1252", "utf-8-sig"]),
    trailing=st.integers(0, 3),
)
def test_excel_belgium_files_read_back_the_same(
    table: tuple[list[str], list[list[str]]], encoding: str, trailing: int
) -> None:
    columns, rows = table
    raw = excel_bytes(columns, rows, delimiter=";", encoding=encoding, trailing=trailing)
    try:
        text, used = decode(raw)
        sheet = read_csv_text(text, used)
    except SheetError:
        return  # a clear refusal is allowed; other records are not
    if encoding == "cp1252" and used == "utf-8":
        # cp1252 bytes that are valid UTF-8 too ("à" + two no-break spaces is
        # U+0820): the documented rule reads them as UTF-8, and --encoding
        # cp1252 must then give the records back.
        text, used = decode(raw, "cp1252")
        sheet = read_csv_text(text, used)
    assert sheet.columns == columns
    assert [r.values for r in sheet.records] == expected(columns, rows)
    assert [r.row for r in sheet.records] == list(range(2, len(rows) + 2))
    if encoding == "utf-8-sig":
        assert used == "utf-8-sig"


@settings(max_examples=100, deadline=None)
@given(table=tables(ANY_TEXT), delimiter=st.sampled_from([",", ";", "\t"]))
def test_utf8_files_with_any_separator(
    table: tuple[list[str], list[list[str]]], delimiter: str
) -> None:
    columns, rows = table
    raw = excel_bytes(columns, rows, delimiter=delimiter, encoding="utf-8", trailing=0)
    try:
        text, used = decode(raw)
        sheet = read_csv_text(text, used)
    except SheetError:
        return
    assert used == "utf-8"
    assert sheet.columns == columns
    assert [r.values for r in sheet.records] == expected(columns, rows)


@settings(max_examples=100, deadline=None)
@given(table=tables(ANY_TEXT), delimiter=st.sampled_from([",", ";", "\t"]))
def test_a_given_separator_always_reads_back(
    table: tuple[list[str], list[list[str]]], delimiter: str
) -> None:
    """With ``--delimiter`` there is nothing to guess: the records always come back."""
    columns, rows = table
    raw = excel_bytes(columns, rows, delimiter=delimiter, encoding="utf-8", trailing=0)
    text, used = decode(raw)
    sheet = read_csv_text(text, used, delimiter)
    assert [r.values for r in sheet.records] == expected(columns, rows)


@given(
    amount=st.decimals(min_value=0, max_value=10**9 - 1, places=2, allow_nan=False),
    thousands=st.sampled_from(["", ".", " ", "\u00a0"]),
)
def test_decimal_commas_become_the_api_amount(amount: Decimal, thousands: str) -> None:
    whole, cents = f"{amount:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", thousands)
    schema = {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,8})\.[0-9]{2}$"}
    assert coerce_cell(f"{grouped},{cents}", schema) == f"{amount:.2f}"


@given(value=st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False))
def test_numbers_with_decimal_commas(value: Decimal) -> None:
    assume(value == value.normalize() or True)
    got = coerce_cell(str(value).replace(".", ","), {"type": "number"})
    assert Decimal(str(got)) == value


@given(day=st.dates())
def test_belgian_dates(day: dt.date) -> None:
    assume(day.year >= 1000)
    schema = {"type": "string", "format": "date"}
    assert coerce_cell(day.strftime("%d/%m/%Y"), schema) == day.isoformat()
    assert coerce_cell(f"{day.day}/{day.month}/{day.year:04d}", schema) == day.isoformat()


@pytest.mark.parametrize(
    ("raw", "schema", "value"),
    [
        ("VRAI", {"type": "boolean"}, True),
        ("non", {"type": "boolean"}, False),
        ("be33 3631 9024 6746", {"type": "string", "format": "iban"}, "BE33363190246746"),
        ("0641.238.591", {"type": "string", "format": "be-bce"}, "0641238591"),
        ("10.711|47.240", {"type": "array", "items": {"type": "string"}}, ["10.711", "47.240"]),
        ("3", {"type": "integer"}, 3),
    ],
)
def test_cells_typed_from_the_schema(raw: str, schema: dict, value: object) -> None:
    assert coerce_cell(raw, schema) == value


@pytest.mark.parametrize(
    ("raw", "schema"),
    [
        ("31/02/2026", {"type": "string", "format": "date"}),
        ("peut-être", {"type": "boolean"}),
        ("1,5", {"type": "integer"}),
        ("12,345", {"type": "string", "x-ui": {"widget": "money"}}),
        ("abc", {"type": "number"}),
    ],
)
def test_cells_that_cannot_be_the_value(raw: str, schema: dict) -> None:
    with pytest.raises(CellError):
        coerce_cell(raw, schema)


def test_unreadable_files_say_why() -> None:
    with pytest.raises(SheetError, match="--encoding"):
        decode(b"a;b\r\n\x81;\x8d\r\n")
    with pytest.raises(SheetError, match="appears twice"):
        read_csv_text("/a;/a\r\n1;2\r\n", "utf-8")
    with pytest.raises(SheetError, match="no name"):
        read_csv_text("/a;;/b\r\n1;2;3\r\n", "utf-8")
    with pytest.raises(SheetError, match="Row 3"):
        read_csv_text("/a;/b\r\n1;2\r\n1;2;3\r\n", "utf-8", ";")
    with pytest.raises(SheetError, match="empty"):
        read_csv_text("\r\n", "utf-8")


def test_ambiguous_bytes_are_utf8_unless_told_otherwise() -> None:
    """Found by hypothesis: cp1252 "à" + two no-break spaces is valid UTF-8 (U+0820)."""
    raw = "/a\r\nà\xa0\xa0\r\n".encode("cp1252")
    assert decode(raw) == ("/a\r\n\u0820\r\n", "utf-8")
    assert decode(raw, "cp1252") == ("/a\r\nà\xa0\xa0\r\n", "cp1252")
