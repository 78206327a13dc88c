"""What the portal accepts as an attachment: sniffed type, safe name, digest.

Why sniff instead of trusting the client: the declared content type and the
file name are whatever the uploader says. An agent's browser or PDF viewer
later opens the bytes, so the portal keeps only files whose *structure* is a
PDF, a PNG or a JPEG — a ZIP renamed `.pdf` or an HTML page renamed `.png`
is refused (415). The check walks the format's structure (PNG chunk CRCs,
JPEG segments and scans, PDF header/trailer), not just the first bytes, so a
file that starts with a magic number and then carries something else is
refused too, and so is a polyglot that a ZIP reader would open as well.

File names are kept only for display and download: path parts, control and
bidi characters are removed, length is capped, and the extension is set from
the sniffed type so a name never lies about the content. The cap is in
characters (120, for display and the database column) *and* in UTF-8 bytes
(255, what file systems allow for one name): 120 emoji are 480 bytes, and a
client saving such a name failed with "File name too long". A name is cut on
a character boundary, never inside a UTF-8 sequence.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from sqlalchemy.orm import Session

from portal.models import Attachment, Dossier
from portal.problems import Problem
from portal.services.blobs import store_blob
from portal.services.uploads import Upload

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ACCEPTED_TYPES = (PDF, PNG, JPEG)
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}
MAX_FILENAME_LENGTH = 120  # characters
MAX_FILENAME_BYTES = 255  # UTF-8 bytes: one name on ext4, APFS, NTFS (UTF-16 units ≥ this)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PDF_EOF_WINDOW = 1024  # readers accept %%EOF within the last 1024 bytes


def sniff(data: bytes) -> str | None:
    """Return the content type proven by the bytes' structure, or None."""
    if is_polyglot(data):
        return None
    if _is_pdf(data):
        return PDF
    if _is_png(data):
        return PNG
    if _is_jpeg(data):
        return JPEG
    return None


def _is_pdf(data: bytes) -> bool:
    """A PDF starts with `%PDF-1.x`/`%PDF-2.x` and ends with a trailer.

    Checking the end as well refuses a ZIP or HTML with a PDF header glued
    on (PDF readers look for `startxref`/`%%EOF` at the end of the file).
    """
    if not re.match(rb"%PDF-[12]\.\d", data[:8]):
        return False
    tail = data[-_PDF_EOF_WINDOW:]
    return b"%%EOF" in tail and b"startxref" in data[-_PDF_EOF_WINDOW * 2 :]


def _is_png(data: bytes) -> bool:
    """Walk every chunk: IHDR first, valid CRCs, IEND last with nothing after."""
    if not data.startswith(_PNG_SIGNATURE):
        return False
    pos, first = len(_PNG_SIGNATURE), True
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data) or (first and (kind != b"IHDR" or length != 13)):
            return False
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(data[pos + 4 : end - 4]) != crc:
            return False
        if kind == b"IEND":
            return end == len(data)
        pos, first = end, False
    return False


_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # not DHT, JPG, DAC


def _is_jpeg(data: bytes) -> bool:
    """Walk the segments and the scans up to EOI; a frame and a scan are required.

    Bytes after EOI are tolerated (phones append metadata there); a ZIP
    hidden there is caught by the polyglot check.
    """
    if not data.startswith(b"\xff\xd8\xff"):
        return False
    pos, frame, scan = 2, False, False
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:
            return frame and scan
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        if pos + 4 > len(data):
            return False
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            return False
        frame = frame or marker in _SOF_MARKERS
        pos += 2 + length
        if marker == 0xDA:  # start of scan: skip entropy-coded data to the next marker
            scan = True
            pos = _end_of_scan(data, pos)
    return False


def _end_of_scan(data: bytes, pos: int) -> int:
    """Position of the first marker after entropy-coded data (0xFF00 and RSTn are data)."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return len(data)
        follower = data[pos + 1]
        if follower == 0x00 or 0xD0 <= follower <= 0xD7:
            pos += 2
            continue
        return pos


_ZIP_TAIL_WINDOW = 65_557  # a ZIP reader looks for its end record this far from the end


def is_polyglot(data: bytes) -> bool:
    """True when a ZIP reader would also open the file (a ZIP/Office/JAR payload).

    ZIP readers search the end-of-central-directory record from the end of
    the file, so a ZIP appended to or hidden inside an image or a PDF opens
    as an archive. The chance that valid content holds the 4-byte signature
    by accident in the last 64 KiB is about 1 in 65 000.
    """
    return b"PK\x05\x06" in data[-_ZIP_TAIL_WINDOW:]


_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED_WINDOWS = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)


def sanitise_filename(name: str | None, content_type: str) -> str:
    """Return a display name that is safe on every OS and honest about its type.

    Keeps the last path component only (both `/` and `\\` separators), drops
    control, format (bidi overrides) and reserved characters, leading dots,
    Windows device names, caps the length, and sets the extension from the
    sniffed content type.
    """
    raw = unicodedata.normalize("NFC", name or "")
    raw = PureWindowsPath(PurePosixPath(raw.replace("\\", "/")).name).name
    cleaned = _without_controls(raw)
    cleaned = _UNSAFE_CHARS.sub("_", cleaned).strip().lstrip(".").strip()
    stem = cleaned.rsplit(".", 1)[0] if "." in cleaned else cleaned
    stem = stem.strip(" .") or "attachment"
    if _RESERVED_WINDOWS.match(stem):
        stem = f"_{stem}"
    extension = EXTENSIONS[content_type]
    return fit(stem, extension)


def fit(stem: str, extension: str = "") -> str:
    """``stem + extension`` within both caps, the stem cut on a character boundary."""
    stem = stem[: MAX_FILENAME_LENGTH - len(extension)]
    room = MAX_FILENAME_BYTES - len(extension.encode("utf-8"))
    encoded = stem.encode("utf-8")
    if len(encoded) > room:
        stem = encoded[:room].decode("utf-8", "ignore")  # drops a cut sequence's bytes
    return stem + extension


def _without_controls(name: str) -> str:
    """``name`` without control, format (bidi, zero-width) or unassigned characters."""
    return "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")


def content_disposition(name: str) -> str:
    """The ``Content-Disposition`` of a download named ``name`` (RFC 6266).

    The stored name is cleaned again (a row written before a rule existed
    must not reach a browser or a client with a control character or an
    over-long name): ``filename*`` carries it in UTF-8, ``filename`` an
    ASCII fallback for old clients, with no quote or backslash to escape.
    """
    cleaned = _without_controls(unicodedata.normalize("NFC", name)).replace("/", "_")
    stem, dot, extension = cleaned.rpartition(".")
    cleaned = fit(stem, dot + extension) if dot else fit(cleaned)
    cleaned = cleaned.strip() or "download"
    fallback = unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", fallback).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


def new_attachment(
    db: Session,
    dossier: Dossier,
    upload: Upload,
    *,
    kind: str,
    allowed: tuple[str, ...],
    uploaded_by: str,
) -> Attachment:
    """The checked file as an attachment row (no commit): 415 unless its bytes are `allowed`.

    Applicants' and agents' uploads both come here: one place sniffs,
    names and stores what anybody attaches.
    """
    content_type = sniff(upload.data)
    if content_type is None or content_type not in allowed:
        what = "a PDF, PNG or JPEG file" if content_type is None else "of another type"
        raise Problem(
            "unsupported-media-type",
            f"the file is not {what}: {kind!r} accepts {', '.join(allowed)}"
            " (the content is checked, not the name)",
        )
    attachment = Attachment(
        dossier_id=dossier.id,
        kind=kind,
        filename=sanitise_filename(upload.filename, content_type),
        content_type=content_type,
        size=len(upload.data),
        sha256=store_blob(db, upload.data),
        uploaded_by=uploaded_by,
    )
    db.add(attachment)
    db.flush()
    return attachment
