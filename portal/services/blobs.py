"""File content stored once per SHA-256 (the `blobs` table, see models.py).

Why the digest is always computed here, from the bytes stored: rows are
shared between users by digest. A digest handed in by a caller (computed
over other bytes than those kept, e.g. over every part of a multipart body)
would let one user's download return another user's file.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import Blob


def store_blob(db: Session, content: bytes) -> str:
    """Add the content unless an identical file is already stored; return its digest.

    Two requests storing the same bytes at once (PostgreSQL) both try to
    insert: the loser's savepoint is rolled back and the row is reused.
    """
    digest = hashlib.sha256(content).hexdigest()
    if db.get(Blob, digest) is not None:
        return digest
    try:
        with db.begin_nested():
            db.add(Blob(sha256=digest, size=len(content), content=content))
    except IntegrityError:
        pass  # stored meanwhile by a concurrent request: same bytes, same digest
    return digest


def blob_content(db: Session, sha256: str) -> bytes:
    """The stored bytes (the row exists: attachments and documents reference it)."""
    blob = db.get(Blob, sha256)
    if blob is None:
        raise LookupError(f"blob {sha256} is missing")
    return blob.content
