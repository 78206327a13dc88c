"""Streaming multipart parsing stops at the limit."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from portal.services.uploads import MalformedUpload, UploadTooLarge, read_upload

from . import files


def _encode(fields: dict, name: str, data: bytes):
    request = httpx.Request(
        "POST", "http://x/", data=fields, files={"file": (name, data, "application/pdf")}
    )
    return request.headers["content-type"], request.read()


async def _chunks(body: bytes, size: int, seen: list[int]):
    for i in range(0, len(body), size):
        seen.append(i)
        yield body[i : i + size]


def _read(content_type, body, *, limit, length=None, chunk=4096, seen=None):
    return asyncio.run(
        read_upload(
            content_type,
            length,
            _chunks(body, chunk, seen if seen is not None else []),
            limit=limit,
        )
    )


def test_fields_and_file():
    data = files.pdf_file()
    content_type, body = _encode({"kind": "proof"}, "a.pdf", data)
    upload = _read(content_type, body, limit=10_000)
    assert upload.fields == {"kind": "proof"}
    assert upload.filename == "a.pdf" and upload.data == data and upload.has_file


def test_oversized_stream_stops_early_without_content_length():
    content_type, body = _encode({"kind": "proof"}, "big.pdf", b"x" * 2_000_000)
    seen: list[int] = []
    with pytest.raises(UploadTooLarge):
        _read(content_type, body, limit=100_000, seen=seen)
    assert len(seen) * 4096 < 120_000  # stopped reading just past the limit


def test_declared_length_over_the_limit_is_refused_before_reading():
    content_type, body = _encode({}, "a.pdf", b"x" * 10)
    seen: list[int] = []
    with pytest.raises(UploadTooLarge):
        _read(content_type, body, limit=100, length=str(10**9), seen=seen)
    assert seen == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{}"),
        ("multipart/form-data", b""),
        (
            "multipart/form-data; boundary=zz",
            b"--zz\r\nContent-Disposition: form-data; name=kind\r\n\r\nx\r\n--zz--\r\n",
        ),
    ],
)
def test_malformed_bodies(content_type, body):
    with pytest.raises(MalformedUpload):
        _read(content_type, body, limit=1000)


def test_huge_plain_fields_are_refused():
    content_type, body = _encode({"kind": "k" * 10_000}, "a.pdf", b"x")
    with pytest.raises(MalformedUpload):
        _read(content_type, body, limit=1000)
