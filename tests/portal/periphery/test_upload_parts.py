"""An upload is exactly one file part, and the stored digest is of the stored bytes.

Two parts named ``file`` used to be hashed together while only the last one
was kept; blobs are shared by digest, so another user uploading the two
parts glued together was served the first user's file.
"""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from portal.services.uploads import MalformedUpload, read_upload

from . import files

BOUNDARY = "sec-boundary"


def _multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += data + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def _post(user, dossier_id: str, body: bytes):
    return user.post(
        f"/dossiers/{dossier_id}/attachments",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


def test_two_file_parts_are_refused_and_cannot_poison_the_blob_store(citizen, other):
    first = b"%PDF-1.7\n% the first part, hashed but never stored\n"
    second = files.pdf_file("Secret of the first user")
    mine = citizen.new_dossier("PERMIS-PECHE")
    twice = _multipart(
        ("kind", None, b"other"), ("file", "a.pdf", first), ("file", "b.pdf", second)
    )
    answer = _post(citizen, mine["id"], twice)
    assert answer.status_code == 400, answer.text
    assert "more than one 'file' part" in answer.json()["detail"]

    # The other user's own file: the two parts glued together (a valid PDF too).
    theirs = other.new_dossier("PERMIS-PECHE")
    glued = first + second
    answer = other.upload(theirs["id"], "other", "glued.pdf", glued, "application/pdf")
    assert answer.status_code == 201, answer.text
    assert answer.json()["sha256"] == hashlib.sha256(glued).hexdigest()
    download = other.get(f"/attachments/{answer.json()['id']}/content")
    assert download.content == glued


def test_the_stored_digest_is_always_of_the_stored_bytes(citizen, db):
    from sqlalchemy import select

    from portal.models import Attachment, Blob

    dossier = citizen.new_dossier("PERMIS-PECHE")
    data = files.pdf_file("one file")
    answer = _post(
        citizen, dossier["id"], _multipart(("kind", None, b"other"), ("file", "x.pdf", data))
    )
    assert answer.status_code == 201, answer.text
    for attachment in db.scalars(select(Attachment)):
        blob = db.get(Blob, attachment.sha256)
        assert blob is not None and hashlib.sha256(blob.content).hexdigest() == blob.sha256


def _read(body: bytes, limit: int = 100_000):
    async def chunks():
        for i in range(0, len(body), 1000):
            yield body[i : i + 1000]

    return asyncio.run(
        read_upload(f"multipart/form-data; boundary={BOUNDARY}", None, chunks(), limit=limit)
    )


@pytest.mark.parametrize(
    "body, message",
    [
        (_multipart(("file", "a", b"1"), ("file", "b", b"2")), "more than one"),
        (_multipart(("file", None, b"1"), ("file", "b", b"2")), "more than one"),
        (_multipart(("kind", None, b"a"), ("kind", None, b"b"), ("file", "b", b"2")), "twice"),
        (_multipart(("kind", None, b"a")), "no 'file' file part"),
    ],
)
def test_ambiguous_forms_are_malformed(body: bytes, message: str) -> None:
    with pytest.raises(MalformedUpload, match=message):
        _read(body)


def test_part_headers_that_never_end_are_cut_short() -> None:
    """Header lines are kept in memory: python-multipart caps their size and number."""
    endless = f"--{BOUNDARY}\r\n".encode() + b"X-Pad: " + b"a" * 1000 + b"\r\n"
    endless += (b"X-Pad: " + b"a" * 1000 + b"\r\n") * 5000
    with pytest.raises(MalformedUpload, match="could not be parsed"):
        _read(endless, limit=10_000_000)
    with pytest.raises(MalformedUpload, match="could not be parsed"):
        _read(f"--{BOUNDARY}\r\nX-Pad: ".encode() + b"a" * 5_000_000, limit=10_000_000)
