"""Login on another device: the OAuth 2.0 Device Authorization Grant (RFC 8628).

The terminal asks for a pair of codes (:func:`start`): a long *device code*
it keeps secret and polls with, and a short *user code* the person types (or
scans) on a phone or another computer, where they log in and approve. Then
the terminal's next poll (:func:`poll`) gets a session token — once.

Why these choices:

- The user code is 8 letters from a 20-consonant alphabet (RFC 8628 §6.1:
  no vowels, so no words; no 0/O, 1/I/L confusion), shown as ``WDJB-MJHT``:
  about 34.5 bits, so with a bounded number of wrong entries per address
  (portal/api/device.py) guessing a pending code is hopeless.
- Both codes are stored as SHA-256 only, like session tokens: a leaked
  table approves nothing and polls nothing.
- Polling faster than the interval answers ``slow_down`` and adds 5 s to the
  interval for good (§3.5); the answers keep the RFC's error codes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.tokens import new_token, token_hash
from portal.models import AuthSession, DeviceAuthorization, Person, utcnow

USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8
SLOW_DOWN_STEP = 5
DEVICE_METHOD = "device"

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"


class DeviceGrantError(Exception):
    """An RFC 8628 §3.5 error: ``code`` is the RFC's, ``detail`` the sentence."""

    def __init__(self, code: str, detail: str, *, interval: int | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.interval = interval


@dataclass(frozen=True)
class Started:
    """What the terminal is given: both codes in clear (shown once) and the row."""

    device_code: str
    user_code: str
    row: DeviceAuthorization


def new_user_code() -> str:
    """``XXXX-XXXX`` from :data:`USER_CODE_ALPHABET`."""
    letters = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))
    return f"{letters[:4]}-{letters[4:]}"


def normalise_user_code(text: str) -> str | None:
    """The canonical ``XXXX-XXXX`` of what a person typed, or None when it cannot be one.

    Case, spaces and dashes do not matter (§6.1: be forgiving with input).
    """
    letters = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(letters) != USER_CODE_LENGTH or any(ch not in USER_CODE_ALPHABET for ch in letters):
        return None
    return f"{letters[:4]}-{letters[4:]}"


def start(db: Session, ttl: int, interval: int) -> Started:
    """A new pending authorization valid ``ttl`` seconds (caller commits)."""
    device_code = new_token()
    user_code = new_user_code()
    while db.scalar(
        select(DeviceAuthorization.id).where(
            DeviceAuthorization.user_code_sha256 == token_hash(user_code)
        )
    ):
        user_code = new_user_code()  # a clash among 2.6e10 codes: draw again
    now = utcnow()
    row = DeviceAuthorization(
        device_code_sha256=token_hash(device_code),
        user_code_sha256=token_hash(user_code),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=ttl),
        interval=interval,
        status=PENDING,
    )
    db.add(row)
    return Started(device_code, user_code, row)


def find_pending(db: Session, user_code: str) -> DeviceAuthorization | None:
    """The pending, unexpired authorization of a (normalised) user code."""
    row = db.scalar(
        select(DeviceAuthorization).where(
            DeviceAuthorization.user_code_sha256 == token_hash(user_code)
        )
    )
    return find_pending_row(row) if row is not None else None


def find_pending_row(row: DeviceAuthorization) -> DeviceAuthorization | None:
    """``row`` when it is still pending and unexpired."""
    if row.status != PENDING or row.expires_at <= utcnow():
        return None
    return row


def decide(row: DeviceAuthorization, person: Person, *, approve: bool) -> None:
    """The person's answer on the other device (caller commits)."""
    row.status = APPROVED if approve else REFUSED
    row.person_nrn = person.nrn
    row.decided_at = utcnow()


def poll(db: Session, device_code: str, session_ttl: int) -> tuple[str, AuthSession, Person]:
    """The terminal's poll: a session once approved, else the RFC error (caller commits).

    The time of each poll is kept, so polling faster than the interval is
    answered ``slow_down`` and the interval grows by 5 s.
    """
    row = db.scalar(
        select(DeviceAuthorization).where(
            DeviceAuthorization.device_code_sha256 == token_hash(device_code)
        )
    )
    if row is None:
        raise DeviceGrantError("invalid_grant", "this device code is not known to the portal")
    now = utcnow()
    if row.consumed_at is not None:
        raise DeviceGrantError("invalid_grant", "this device code was already used")
    if row.expires_at <= now:
        raise DeviceGrantError(
            "expired_token", "the device code has expired; start the login again"
        )
    if row.status == REFUSED:
        raise DeviceGrantError("access_denied", "the login was refused on the other device")
    if row.status == PENDING:
        _pace(row, now)
        raise DeviceGrantError(
            "authorization_pending",
            "the login has not been approved yet; ask again after the interval",
            interval=row.interval,
        )
    return _open_session(db, row, now, session_ttl)


def _pace(row: DeviceAuthorization, now: dt.datetime) -> None:
    """``slow_down`` when this poll comes before the interval has passed."""
    previous, row.last_polled_at = row.last_polled_at, now
    if previous is not None and (now - previous).total_seconds() < row.interval:
        row.interval += SLOW_DOWN_STEP
        raise DeviceGrantError(
            "slow_down",
            "polling too fast: wait the new interval between requests",
            interval=row.interval,
        )


def _open_session(
    db: Session, row: DeviceAuthorization, now: dt.datetime, ttl: int
) -> tuple[str, AuthSession, Person]:
    row.consumed_at = now
    person = db.get(Person, row.person_nrn) if row.person_nrn else None
    if person is None:
        raise DeviceGrantError("invalid_grant", "the person who approved is not known")
    token = new_token()
    session = AuthSession(
        token_sha256=token_hash(token),
        person_nrn=person.nrn,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=ttl),
        method=DEVICE_METHOD,
    )
    db.add(session)
    return token, session, person
