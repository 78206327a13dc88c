"""The PDF writer produces files whose structure a reader accepts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal import pdf
from portal.services.attachments import PDF, sniff


def _xref_offsets(data: bytes) -> list[int]:
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF", data).group(1))
    assert data[start : start + 4] == b"xref"
    header = re.match(rb"xref\n0 (\d+)\n", data[start:])
    count = int(header.group(1))
    table = data[start + header.end() : start + header.end() + 20 * count]
    return [int(table[i * 20 : i * 20 + 10]) for i in range(1, count)]


def test_every_xref_entry_points_at_its_object():
    data = pdf.render(["Accusé de réception", "Dossier MSP-2026-000042 (test)"], title="AR")
    for number, offset in enumerate(_xref_offsets(data), start=1):
        assert data[offset:].startswith(f"{number} 0 obj\n".encode())


def test_text_is_encoded_in_winansi_and_escaped():
    data = pdf.render(["Élise (née) Müller \\ ok"])
    assert b"(\xc9lise \\(n\xe9e\\) M\xfcller \\\\ ok) Tj" in data


def test_stream_length_matches():
    data = pdf.render(["x" * 500])
    match = re.search(rb"<< /Length (\d+) >>\nstream\n", data)
    length = int(match.group(1))
    end = match.end() + length
    assert data[end : end + 10] == b"\nendstream"


def test_long_documents_get_several_pages():
    data = pdf.render([f"line {i}" for i in range(200)])
    count = int(re.search(rb"/Count (\d+)", data).group(1))
    assert count == -(-200 // pdf.LINES_PER_PAGE)
    assert len(_xref_offsets(data)) == 5 + 2 * count


def test_output_is_deterministic_and_sniffs_as_pdf():
    assert pdf.render(["a"]) == pdf.render(["a"])
    assert sniff(pdf.render(["a"])) == PDF


def test_control_characters_do_not_break_the_stream():
    data = pdf.render(["evil\x00) Tj /F9 1 Tf (x"])
    assert b"evil \\) Tj /F9 1 Tf \\(x" in data


def test_an_independent_reader_parses_it_strictly():
    """pypdf (dev dependency) in strict mode: xref, objects and text all readable."""
    import io

    pypdf = pytest.importorskip("pypdf", reason="pypdf is the independent PDF reader (dev extra)")
    lines = ["Accusé de réception", "Dossier MSP-2026-000042 (test)"] + [
        f"ligne {i} : Müller, Ça va ?" for i in range(120)
    ]
    reader = pypdf.PdfReader(io.BytesIO(pdf.render(lines, title="AR")), strict=True)
    assert len(reader.pages) == -(-len(lines) // pdf.LINES_PER_PAGE)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Accusé de réception" in text and "MSP-2026-000042" in text
    assert "ligne 119 : Müller, Ça va ?" in text
    assert reader.metadata.title == "AR"


@given(st.lists(st.text(max_size=200), max_size=80))
@settings(max_examples=40, deadline=None)
def test_any_text_renders_to_a_parseable_pdf(lines):
    import io

    pypdf = pytest.importorskip("pypdf", reason="pypdf is the independent PDF reader (dev extra)")
    data = pdf.render(lines, title="".join(lines)[:50])
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) >= 1
    for number, offset in enumerate(_xref_offsets(data), start=1):
        assert data[offset:].startswith(f"{number} 0 obj\n".encode())
