"""Small, real sample files for upload tests (built, not mocked)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from portal import pdf


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int = 2, height: int = 2, extra: bytes = b"") -> bytes:
    """A valid RGB PNG with correct chunk CRCs (`extra` chunks before IEND)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + extra
        + chunk(b"IEND", b"")
    )


def jpeg(scans: int = 1) -> bytes:
    """A minimal baseline JPEG segment structure: SOI, APP0, DQT, SOF0, DHT, SOS, data, EOI."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(1, 65))
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 1, 1, 1) + b"\x01\x11\x00"
    dht = b"\xff\xc4" + struct.pack(">H", 20) + b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    scan = sos + b"\x12\xff\x00\x34\xff\xd0\x56"  # data with a stuffed 0xFF and a restart
    return b"\xff\xd8" + app0 + dqt + sof + (dht + scan) * scans + b"\xff\xd9"


def pdf_file(text: str = "Pièce jointe") -> bytes:
    return pdf.render([text])


def zip_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        entry = zipfile.ZipInfo("word/document.xml", date_time=(2026, 1, 1, 0, 0, 0))
        archive.writestr(entry, "<w/>")  # fixed date: the same bytes in every process
    return buffer.getvalue()


HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
