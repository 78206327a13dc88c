"""Sniffing and file-name sanitising, without the app."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.services.attachments import (
    JPEG,
    MAX_FILENAME_LENGTH,
    PDF,
    PNG,
    is_polyglot,
    sanitise_filename,
    sniff,
)

from . import files


@pytest.mark.parametrize(
    ("data", "expected"),
    [(files.pdf_file(), PDF), (files.png(), PNG), (files.jpeg(), JPEG)],
    ids=["pdf", "png", "jpeg"],
)
def test_real_files_are_recognised(data, expected):
    assert sniff(data) == expected


DISGUISED = {
    "zip": files.zip_file(),
    "html": files.HTML,
    "empty": b"",
    "pdf-header-on-zip": b"%PDF-1.4\n" + files.zip_file(),
    "zip-appended-to-pdf": files.pdf_file() + files.zip_file(),
    "png-magic-then-html": b"\x89PNG\r\n\x1a\n" + files.HTML,
    "png-bad-iend-crc": files.png()[:-4] + b"\x00\x00\x00\x00",
    "png-trailing-payload": files.png() + b"<script>",
    "jpeg-magic-no-segments": b"\xff\xd8\xff\xe0" + files.HTML + b"\xff\xd9",
    "jpeg-truncated": files.jpeg()[:-2],
    "jpeg-without-frame": b"\xff\xd8\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x12\xff\xd9",
    "jpeg-plus-zip": files.jpeg() + files.zip_file(),
    "jpeg-zip-eoi": files.jpeg()[:-2] + files.zip_file() + b"\xff\xd9",
    "png-zip-in-a-chunk": files.png(extra=files.png_chunk(b"zIPp", files.zip_file())),
    "pdf-zip-in-the-body": files.pdf_file()[:20] + files.zip_file() + files.pdf_file()[20:],
}


@pytest.mark.parametrize("data", DISGUISED.values(), ids=DISGUISED.keys())
def test_disguised_or_broken_files_are_refused(data):
    assert sniff(data) is None


def test_pdf_with_zip_directory_in_its_tail_is_refused():
    polyglot = files.zip_file() + b"\n" + files.pdf_file()
    assert sniff(polyglot) is None  # does not start with %PDF-
    tail_zip = files.pdf_file() + b"PK\x05\x06" + b"\x00" * 18 + b"\n%%EOF\n"
    assert sniff(tail_zip) is None


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("..\\..\\windows\\system32\\x.exe", PNG, "x.png"),
        ("C:\\Users\\me\\scan.PDF", PDF, "scan.pdf"),
        ("photo.jpeg", JPEG, "photo.jpg"),
        ("report.pdf.exe", PDF, "report.pdf.pdf"),
        ("\x00\x1b[31mred\x07.pdf", PDF, "[31mred.pdf"),
        ("invoice\u202egnp.pdf", PDF, "invoicegnp.pdf"),
        (".htaccess", PNG, "htaccess.png"),
        ("", PDF, "attachment.pdf"),
        (None, PDF, "attachment.pdf"),
        ("...", PDF, "attachment.pdf"),
        ("CON.pdf", PDF, "_CON.pdf"),
        ('a<b>c:"d|e?*.png', PNG, "a_b_c__d_e__.png"),
        ("Décompte été.pdf", PDF, "Décompte été.pdf"),
    ],
)
def test_sanitise_examples(name, content_type, expected):
    assert sanitise_filename(name, content_type) == expected


def test_very_long_names_are_capped_and_keep_the_extension():
    name = sanitise_filename("a" * 5000 + ".pdf", PDF)
    assert len(name) == MAX_FILENAME_LENGTH and name.endswith(".pdf")


@given(st.text(max_size=300), st.sampled_from([PDF, PNG, JPEG]))
def test_sanitised_names_are_always_safe(name, content_type):
    result = sanitise_filename(name, content_type)
    assert 1 < len(result) <= MAX_FILENAME_LENGTH
    assert "/" not in result and "\\" not in result
    assert not result.startswith(".")
    assert all(unicodedata.category(ch)[0] != "C" for ch in result)
    assert result.endswith({PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}[content_type])


@pytest.mark.parametrize(
    "data",
    [files.jpeg(scans=3), files.jpeg() + b"SEFHtrailer-metadata" * 10, files.jpeg() + b"\x00" * 7],
    ids=["progressive-3-scans", "phone-trailer", "zero-padding"],
)
def test_real_world_jpeg_shapes_are_accepted(data):
    assert sniff(data) == JPEG


def test_polyglot_detection_looks_at_the_tail_only():
    assert is_polyglot(files.zip_file())
    assert not is_polyglot(b"PK\x05\x06" + b"\x00" * 70_000)


@given(st.binary(max_size=2048))
def test_sniff_never_raises_on_arbitrary_bytes(data):
    assert sniff(data) in (None, PDF, PNG, JPEG)


@given(st.binary(max_size=512))
def test_mutated_pngs_never_crash_the_walker(tail):
    data = files.png()
    assert sniff(data[: len(data) // 2] + tail) in (None, PNG, JPEG, PDF)


def test_the_sandbox_card_photo_is_a_jpeg():
    """A JPEG written by other code (the virtual eID's photo encoder) passes the walker."""
    from eid.virtual.photo import sandbox_photo

    assert sniff(sandbox_photo("68031412135")) == JPEG
