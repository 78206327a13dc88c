"""Read a multipart upload from the request stream, stopping at the size limit.

Why not FastAPI's `UploadFile`: Starlette parses the whole body (spooling the
file to disk) before the endpoint runs, so a 1 GB upload is received in full
before anyone can answer 413. Here the body is parsed as it arrives and the
read stops as soon as the file part passes the limit: the answer comes after
at most `limit` bytes, whatever the client sends. An honest client that
declares a too-large Content-Length is refused before any byte is read.

Exactly one file part is accepted: a second part named like the file is a
400, not a second file silently kept (the digest of both parts with the bytes
of the last one let a later upload of different bytes be served another
user's content). The digest is not computed here: the blob store computes
it from the very bytes it keeps (portal/services/blobs.py).

What is not the file's bytes stays small: at most ``MAX_PARTS`` parts,
fields of ``FIELD_LIMIT`` bytes, and python-multipart caps the size and
number of each part's headers (a header that never ends is a 400).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

FIELD_LIMIT = 4096  # bytes for a plain form field (e.g. `kind`)
ENVELOPE_SLACK = 64 * 1024  # multipart headers and small fields around the file
MAX_PARTS = 8  # a file and a few fields; more is an attempt to exhaust memory


class UploadTooLarge(Exception):
    """The file part is larger than the configured limit."""


class MalformedUpload(Exception):
    """The body is not a usable multipart/form-data upload."""


@dataclass
class Upload:
    """The parsed upload: small text fields and one file."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    data: bytes = b""
    has_file: bool = False


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    name: str = ""
    filename: str | None = None


class _Collector:
    """Callbacks for python-multipart's push parser, enforcing the limits."""

    def __init__(self, file_field: str, limit: int) -> None:
        self.file_field, self.limit = file_field, limit
        self.upload = Upload()
        self.part = _Part()
        self.parts_seen = 0
        self._header_field = b""
        self._header_value = b""

    def on_part_begin(self) -> None:
        self.parts_seen += 1
        if self.parts_seen > MAX_PARTS:
            raise MalformedUpload("too many form fields")
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def on_headers_finished(self) -> None:
        disposition = self.part.headers.get(b"content-disposition", b"")
        _, params = parse_options_header(disposition)
        self.part.name = params.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in params:
            self.part.filename = params[b"filename"].decode("utf-8", "replace")
        if self._is_file_part() and self.upload.has_file:
            raise MalformedUpload(f"the upload has more than one {self.file_field!r} part")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        self.part.size += len(chunk)
        if self._is_file_part():
            if self.part.size > self.limit:
                raise UploadTooLarge
        elif self.part.size > FIELD_LIMIT:
            raise MalformedUpload(f"form field {self.part.name!r} is too long")
        self.part.chunks.append(chunk)

    def on_part_end(self) -> None:
        value = b"".join(self.part.chunks)
        if self._is_file_part():
            self.upload.filename = self.part.filename
            self.upload.data = value
            self.upload.has_file = True
        elif self.part.name in self.upload.fields:
            raise MalformedUpload(f"form field {self.part.name!r} is given twice")
        else:
            self.upload.fields[self.part.name] = value.decode("utf-8", "replace")

    def _is_file_part(self) -> bool:
        return self.part.name == self.file_field


def boundary_of(content_type: str | None) -> bytes:
    """The multipart boundary, or MalformedUpload for another body type."""
    kind, params = parse_options_header(content_type or "")
    if kind != b"multipart/form-data" or not params.get(b"boundary"):
        raise MalformedUpload("expected a multipart/form-data body")
    return params[b"boundary"]


async def read_upload(
    content_type: str | None,
    content_length: str | None,
    stream: AsyncIterator[bytes],
    *,
    limit: int,
    file_field: str = "file",
) -> Upload:
    """Parse the body as it streams in; raise UploadTooLarge past `limit`."""
    boundary = boundary_of(content_type)
    if content_length and content_length.isdigit() and int(content_length) > limit + ENVELOPE_SLACK:
        raise UploadTooLarge
    collector = _Collector(file_field, limit)
    callbacks = {
        name: getattr(collector, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    async for chunk in stream:  # a 413 from the body limit (portal.app) passes through
        _feed(parser, chunk)
    _feed(parser, None)
    if not collector.upload.has_file:
        raise MalformedUpload(f"the upload has no {file_field!r} file part")
    return collector.upload


def _feed(parser: MultipartParser, chunk: bytes | None) -> None:
    """Write ``chunk`` (None: the end) to the parser; its own errors mean a bad body."""
    try:
        if chunk is None:
            parser.finalize()
        else:
            parser.write(chunk)
    except (UploadTooLarge, MalformedUpload):
        raise
    except Exception as exc:
        raise MalformedUpload("the multipart body could not be parsed") from exc
