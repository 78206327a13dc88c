"""``Idempotency-Key`` on creates and submits: a retried request gets the first answer.

Why: a client that lost the answer to ``POST /dossiers`` (timeout, dropped
connection) can retry safely — the retry returns the dossier created the
first time instead of a second one. Only successful answers are stored: a
request refused for invalid data can be retried with the same key once the
data is fixed. The same key with a different body is a client bug: 409.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import IdempotencyKey, utcnow
from portal.problems import Problem

MAX_KEY_LENGTH = 200


def fingerprint(body: Any) -> str:
    """SHA-256 of the canonical JSON of a request (body + relevant context)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str | None) -> str | None:
    """The key, validated (≤ 200 printable characters), or None when absent."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Problem("bad-request", "Idempotency-Key must be 1 to 200 printable characters")
    return key


def previous(
    db: Session, person_nrn: str, scope: str, key: str, request_sha256: str
) -> IdempotencyKey | None:
    """The stored answer for this key, or None; 409 if the key came with another body."""
    row = db.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.person_nrn == person_nrn,
            IdempotencyKey.scope == scope,
            IdempotencyKey.key == key,
        )
    )
    if row is not None and row.request_sha256 != request_sha256:
        raise Problem(
            "conflict",
            "this Idempotency-Key was already used with a different request; use a new key",
        )
    return row


def remember(
    db: Session,
    person_nrn: str,
    scope: str,
    key: str,
    request_sha256: str,
    status_code: int,
    response: dict[str, Any],
) -> None:
    """Store a successful answer under the key (same transaction as the write)."""
    db.add(
        IdempotencyKey(
            person_nrn=person_nrn,
            scope=scope,
            key=key,
            request_sha256=request_sha256,
            status_code=status_code,
            response=response,
            created_at=utcnow(),
        )
    )
