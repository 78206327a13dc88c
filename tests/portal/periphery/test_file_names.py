"""File names fit a file system: at most 255 UTF-8 bytes, no control or bidi character.

120 emoji are 120 characters but 480 bytes: the portal kept such a name and
every client saving the file failed with "File name too long".
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update

from portal.models import Attachment
from portal.services.attachments import (
    MAX_FILENAME_BYTES,
    PDF,
    content_disposition,
    sanitise_filename,
)

from . import files


def _served_name(disposition: str) -> str:
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def test_a_name_of_emoji_is_cut_to_255_bytes_on_a_character_boundary(citizen):
    dossier = citizen.new_dossier("DOGID")
    raw = "🐕" * 120 + ".pdf"
    answer = citizen.upload(dossier["id"], "vet_certificate", raw, files.pdf_file(), PDF)
    assert answer.status_code == 201, answer.text
    name = answer.json()["filename"]
    assert len(name.encode("utf-8")) <= MAX_FILENAME_BYTES
    assert name == "🐕" * 62 + ".pdf"
    download = citizen.get(f"/attachments/{answer.json()['id']}/content")
    assert _served_name(download.headers["content-disposition"]) == name


def test_a_stored_name_is_cleaned_again_when_served(citizen, db):
    """A row written before the rules (or by other code) reaches no client unsafe."""
    dossier = citizen.new_dossier("DOGID")
    answer = citizen.upload(dossier["id"], "vet_certificate", "a.pdf", files.pdf_file(), PDF)
    hostile = "évil\u202egnp.\x1b[2J" + "é" * 150 + ".pdf"
    db.execute(
        update(Attachment).where(Attachment.id == answer.json()["id"]).values(filename=hostile)
    )
    db.commit()
    download = citizen.get(f"/attachments/{answer.json()['id']}/content")
    disposition = download.headers["content-disposition"]
    served = _served_name(disposition)
    assert "\u202e" not in served and "\x1b" not in served
    assert len(served.encode()) <= MAX_FILENAME_BYTES and served.endswith(".pdf")
    assert disposition.startswith('attachment; filename="evilgnp._2J')
    assert disposition.isascii()


@given(st.text(max_size=400), st.sampled_from(["application/pdf", "image/png", "image/jpeg"]))
def test_any_name_becomes_a_safe_one(raw: str, content_type: str) -> None:
    for name in (sanitise_filename(raw, content_type), _served_name(content_disposition(raw))):
        assert 0 < len(name.encode("utf-8")) <= MAX_FILENAME_BYTES
        assert not any(unicodedata.category(ch)[0] == "C" for ch in name)
        assert "/" not in name and "\\" not in sanitise_filename(raw, content_type)
