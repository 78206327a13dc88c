"""Personal access tokens: created from a card session, checked on every request.

A token (``mspat_`` + 32 random bytes, so secret scanners recognise a leaked
one) is shown once and stored as its SHA-256 (portal/auth/tokens.py). It acts
for one context — "me" or one organisation — with a set of scopes
(portal/auth/scopes.py), for at most a year. It stops working the moment:

- it is revoked (by its creator, or by a GAP or legal representative of the
  organisation it acts for), or expires;
- its creator no longer holds the context it acts through (a revoked role or
  mandate; for an organisation, managing it as GAP or legal representative
  counts too) — checked on every request, like ``X-Acting-As``;
- the certificate of the card session it was created from is revoked (the
  session's chain is copied to the token and checked like a session's).

Each use is recorded (when, from which address) at most once a minute per
token: a write per request would double the cost of a script's read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.auth.tokens import new_token, token_hash
from portal.csam import permissions
from portal.csam.trail import audit
from portal.db import READ_ONLY, write_apart
from portal.domain import authz
from portal.domain.serialize import rfc3339
from portal.models import AccessToken, AuthSession, Person, new_id, utcnow
from portal.problems import Problem

PREFIX = "mspat_"
MAX_DAYS = 365
MAX_LIFETIME = dt.timedelta(days=MAX_DAYS)
#: How stale ``last_used_at`` may be: one write per token and minute at most.
USE_RECORD_INTERVAL = dt.timedelta(seconds=60)


def is_access_token(bearer: str) -> bool:
    """Whether a bearer value is a personal access token (not a session token)."""
    return bearer.startswith(PREFIX)


def create(
    db: Session,
    session: AuthSession,
    *,
    name: str,
    scopes: Sequence[str],
    acting_as: str,
    expires_at: dt.datetime,
) -> tuple[str, AccessToken]:
    """A new token for ``session``'s person; the secret is returned here only."""
    now = utcnow()
    if expires_at <= now:
        raise Problem("bad-request", "the expiry date of the token must be in the future")
    if expires_at > now + MAX_LIFETIME:
        raise Problem("bad-request", "an access token may live one year (365 days) at most")
    person = session.person
    if not holds(db, person, acting_as):
        raise Problem(
            "forbidden", f"you hold no role allowing you to act for organisation {acting_as}"
        )
    secret = PREFIX + new_token()
    row = AccessToken(
        id=new_id("pat"),
        token_sha256=token_hash(secret),
        person_nrn=person.nrn,
        name=name,
        scopes=sorted(set(scopes)),
        acting_as=acting_as,
        created_at=now,
        expires_at=expires_at,
        certificate_chain=session.certificate_chain,
    )
    row.person = person
    db.add(row)
    if acting_as != authz.ME:
        audit(db, acting_as, person, "token.create", row.id, None, public_json(row))
    return secret, row


def holds(db: Session, person: Person, acting_as: str) -> bool:
    """Whether ``person`` may still act (or manage) in ``acting_as`` today."""
    if acting_as == authz.ME:
        return True
    if authz.find_context(db, person, acting_as) is not None:
        return True
    return permissions.manages(db, person, acting_as)


def find(db: Session, bearer: str) -> AccessToken | None:
    """The token row of a bearer value, if any."""
    return db.scalar(select(AccessToken).where(AccessToken.token_sha256 == token_hash(bearer)))


def check_usable(db: Session, row: AccessToken) -> None:
    """401 when revoked or expired, 403 when its creator lost its context."""
    if row.revoked_at is not None:
        raise failed("the access token was revoked; create a new one from a card session")
    if row.expires_at <= utcnow():
        raise failed("the access token has expired; create a new one from a card session")
    if not holds(db, row.person, row.acting_as):
        raise failed(
            "the access token's creator no longer holds a role or mandate "
            f"for organisation {row.acting_as}"
        )


def record_use(db: Session, row: AccessToken, address: str | None) -> None:
    """Note when and from where the token was used, at most once a minute.

    A reading request stays a reader: the note is written apart
    (:func:`portal.db.write_apart`), as one guarded UPDATE, so two processes
    seeing the same stale time write it once.
    """
    now = utcnow()
    where = (address or "")[:64] or None
    last = row.last_used_at
    if last is not None and now - last < USE_RECORD_INTERVAL and row.last_used_from == where:
        return
    statement = (
        update(AccessToken)
        .where(AccessToken.id == row.id)
        .where(
            (AccessToken.last_used_at.is_(None))
            | (AccessToken.last_used_at < now - USE_RECORD_INTERVAL)
            | (AccessToken.last_used_from != where)
        )
        .values(last_used_at=now, last_used_from=where)
        .execution_options(synchronize_session=False)
    )
    if db.info.get(READ_ONLY):
        with write_apart(db) as writer:
            writer.execute(statement)
            writer.commit()
    else:
        db.execute(statement)
        db.commit()


def failed(detail: str) -> Problem:
    """401 for an access token; ``login: access-token`` lets clients hint at a new token."""
    return Problem(
        "authentication-required",
        detail,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        extra={"login": "access-token"},
    )


def confine(principal: authz.Principal, *organisations: str | None) -> None:
    """403 when an access token reaches beyond its context (mandates name theirs in the body
    or the row, not in the path, so their routes call this; sessions pass)."""
    token = principal.token
    if token is None or token.acting_as in organisations:
        return
    asked = ", ".join(sorted({o for o in organisations if o})) or authz.ME
    raise Problem("forbidden", f"this access token acts only as {token.acting_as}, not as {asked}")


def of_person(db: Session, person: Person) -> list[AccessToken]:
    """The person's own tokens, newest first (revoked and expired ones too)."""
    query = select(AccessToken).where(AccessToken.person_nrn == person.nrn)
    return list(db.scalars(query.order_by(AccessToken.created_at.desc())))


def of_organisation(db: Session, bce: str) -> list[AccessToken]:
    """Every token acting for organisation ``bce``, newest first."""
    query = select(AccessToken).where(AccessToken.acting_as == bce)
    return list(db.scalars(query.order_by(AccessToken.created_at.desc())))


def revoke(db: Session, row: AccessToken, by: Person) -> None:
    """End ``row`` now (idempotent); an organisation's trail shows it."""
    if row.revoked_at is not None:
        return
    old = public_json(row)
    row.revoked_at = utcnow()
    row.revoked_by = by.nrn
    if row.acting_as != authz.ME:
        audit(db, row.acting_as, by, "token.revoke", row.id, old, public_json(row))


def public_json(row: AccessToken) -> dict[str, Any]:
    """The API representation: never the secret, nor its hash."""
    return {
        "id": row.id,
        "name": row.name,
        "person": row.person_nrn,
        "scopes": list(row.scopes),
        "acting_as": row.acting_as,
        "created_at": rfc3339(row.created_at),
        "expires_at": rfc3339(row.expires_at),
        "revoked_at": rfc3339(row.revoked_at),
        "last_used_at": rfc3339(row.last_used_at),
        "last_used_from": row.last_used_from,
    }
