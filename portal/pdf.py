"""A small writer of plain-text PDF 1.4 documents (receipts, decisions).

Why not a PDF library: the portal only needs a few pages of text in one
standard font, and every added dependency is one more thing to audit in a
server that seals what it writes. The output is a valid PDF 1.4 file with a
correct cross-reference table, so any reader (and `qpdf --check`) accepts it.

Text uses the standard Helvetica font with WinAnsiEncoding, which covers the
French and German letters of Walloon names (é, è, ç, ä, ß…); characters
outside cp1252 are replaced by "?" rather than failing a receipt.

The output is deterministic for the same input (no timestamps of its own):
the caller puts dates in the text, so the document's sha256 is reproducible.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

PAGE_WIDTH = 595  # A4 in points
PAGE_HEIGHT = 842
MARGIN = 56
BODY_SIZE = 11
TITLE_SIZE = 16
LEADING = 15
WRAP_COLUMNS = 90  # Helvetica 11 pt on A4 minus margins holds about 90 chars
LINES_PER_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING


@dataclass(frozen=True)
class PdfLine:
    """One line of text; `bold` lines use Helvetica-Bold (titles, labels)."""

    text: str
    bold: bool = False
    size: int = BODY_SIZE


def _escape(text: str) -> bytes:
    """Encode text as a PDF literal string body in WinAnsi (cp1252)."""
    raw = text.encode("cp1252", errors="replace")
    out = bytearray()
    for byte in raw:
        if byte in (0x28, 0x29, 0x5C):  # ( ) \ must be escaped
            out += b"\\" + bytes([byte])
        elif byte < 0x20 or byte == 0x7F:
            out += b" "  # control characters have no glyph: keep layout stable
        else:
            out.append(byte)
    return bytes(out)


def wrap(lines: Sequence[PdfLine | str]) -> list[PdfLine]:
    """Split long lines at word boundaries so nothing runs off the page."""
    wrapped: list[PdfLine] = []
    for line in lines:
        item = PdfLine(line) if isinstance(line, str) else line
        columns = WRAP_COLUMNS * BODY_SIZE // item.size
        parts = textwrap.wrap(item.text, columns) or [""]
        wrapped.extend(PdfLine(part, item.bold, item.size) for part in parts)
    return wrapped


def _page_stream(lines: Sequence[PdfLine]) -> bytes:
    """The content stream drawing `lines` top-down on one page."""
    ops = [b"BT", f"{MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode(), f"{LEADING} TL".encode()]
    for line in lines:
        font = b"/F2" if line.bold else b"/F1"
        ops.append(font + f" {line.size} Tf".encode())
        ops.append(b"(" + _escape(line.text) + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def _paginate(lines: list[PdfLine]) -> list[list[PdfLine]]:
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    return pages or [[]]


def render(lines: Sequence[PdfLine | str], *, title: str = "") -> bytes:
    """Return the bytes of a PDF 1.4 document showing `lines`.

    Object layout: 1 catalog, 2 pages, 3 regular font, 4 bold font,
    5 info, then for each page a page object and its content stream.
    """
    pages = _paginate(wrap(lines))
    first_page_obj = 6
    kids = " ".join(f"{first_page_obj + 2 * i} 0 R" for i in range(len(pages)))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Producer (monespace portal) /Title (" + _escape(title) + b") >>",
    ]
    for index, page_lines in enumerate(pages):
        content_obj = first_page_obj + 2 * index + 1
        objects.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}]"
                f" /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >>"
                f" /Contents {content_obj} 0 R >>"
            ).encode()
        )
        stream = _page_stream(page_lines)
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    return _assemble(objects)


def _assemble(objects: list[bytes]) -> bytes:
    """Number the objects, then write the xref table with exact byte offsets."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # binary comment: marks the file binary
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"  # each entry is exactly 20 bytes, EOL included
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R >>\n"
        f"startxref\n{xref_at}\n%%EOF\n"
    ).encode()
    return bytes(out)
