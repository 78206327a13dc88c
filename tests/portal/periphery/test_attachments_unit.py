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
    sanitise_filename,
    sniff,
)

from . import files


@pytest.mark.parametrize(
    ("data", "expected"),
    [(files.pdf_file(), PDF), (files.png(), PNG), (files.jpeg(), JPEG)],
)
def test_real_files_are_recognised(data, expected):
    assert sniff(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        files.zip_file(),
        files.HTML,
        b"",
        b"%PDF-1.4\n" + files.zip_file(),  # PDF header glued on a ZIP
        files.pdf_file() + files.zip_file(),  # ZIP appended: no %%EOF at the end
        b"\x89PNG\r\n\x1a\n" + files.HTML,  # PNG magic then HTML
        files.png()[:-4] + b"\x00\x00\x00\x00",  # bad IEND CRC
        files.png() + b"<script>",  # trailing payload after IEND
        b"\xff\xd8\xff\xe0" + files.HTML + b"\xff\xd9",  # JPEG magic, no segments
        files.jpeg()[:-2],  # truncated, no EOI
    ],
)
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
