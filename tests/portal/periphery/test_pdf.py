"""The PDF writer produces files whose structure a reader accepts."""

from __future__ import annotations

import re

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
