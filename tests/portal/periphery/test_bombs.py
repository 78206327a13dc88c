"""Decompression bombs: refused, or stored without ever being inflated.

The portal sniffs an upload's first bytes and its structure, and never
decodes images or inflates PDF streams, so a small file that would expand to
gigabytes costs what it weighs. Memory is measured with tracemalloc around
the in-process upload (the server and the test share the process).
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

from . import files

#: A bomb inflates to this many bytes (256 MiB); the upload must stay far below.
INFLATED = 256 << 20
PEAK_BUDGET = 32 << 20


def _deflated_zeros(size: int) -> bytes:
    squeeze, chunk = zlib.compressobj(9), bytes(1 << 20)
    parts = [squeeze.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(parts) + squeeze.flush()


def zip_bomb() -> bytes:
    """A zip whose one entry inflates to 256 MiB (about 250 kB on the wire)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as entry:
            chunk = bytes(1 << 20)
            for _ in range(INFLATED // len(chunk)):
                entry.write(chunk)
    return buffer.getvalue()


def pdf_bomb(stream: bytes) -> bytes:
    """A well-formed PDF whose page content is a FlateDecode stream of 256 MiB of zeros."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bomb() -> bytes:
    """A valid PNG header claiming 100,000 × 100,000 pixels (30 GB decoded)."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + files.png_chunk(b"IHDR", header)
        + files.png_chunk(b"IDAT", zlib.compress(bytes(100_001) * 10))
        + files.png_chunk(b"IEND", b"")
    )


def _upload_peak(citizen, dossier_id: str, name: str, data: bytes, ctype: str):
    tracemalloc.start()
    try:
        answer = citizen.upload(dossier_id, "vet_certificate", name, data, ctype)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return answer, peak


def test_a_zip_bomb_is_refused_without_being_inflated(citizen) -> None:
    dossier = citizen.new_dossier("DOGID")
    bomb = zip_bomb()
    assert len(bomb) < 5 << 20
    answer, peak = _upload_peak(citizen, dossier["id"], "scan.pdf", bomb, "application/pdf")
    assert answer.status_code == 415, answer.text
    assert peak < PEAK_BUDGET, f"{peak / 2**20:.0f} MiB allocated for a {len(bomb)} B upload"


def test_a_pdf_bomb_is_stored_as_bytes_never_inflated(citizen) -> None:
    dossier = citizen.new_dossier("DOGID")
    bomb = pdf_bomb(_deflated_zeros(INFLATED))
    answer, peak = _upload_peak(citizen, dossier["id"], "bomb.pdf", bomb, "application/pdf")
    assert answer.status_code == 201, answer.text
    assert answer.json()["size"] == len(bomb)
    assert peak < PEAK_BUDGET, f"{peak / 2**20:.0f} MiB allocated for a {len(bomb)} B upload"


def test_a_png_bomb_is_stored_as_bytes_never_decoded(citizen) -> None:
    dossier = citizen.new_dossier("DOGID")
    bomb = png_bomb()
    answer, peak = _upload_peak(citizen, dossier["id"], "photo.png", bomb, "image/png")
    assert answer.status_code == 201, answer.text
    assert peak < PEAK_BUDGET
