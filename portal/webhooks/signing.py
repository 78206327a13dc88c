"""Webhook signatures in the Standard Webhooks layout (https://www.standardwebhooks.com/).

Why this scheme: business applications already have verifiers for it (the
`standardwebhooks` libraries, Svix), and it signs the message id and the
timestamp with the body, so a captured delivery can neither be replayed
later (the timestamp is checked against a tolerance) nor passed off as
another message (receivers deduplicate on the id).

A delivery carries three headers::

    webhook-id: msg_…                      (the same on every retry)
    webhook-timestamp: 1763904300          (Unix seconds of this attempt)
    webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>

where ``key`` is the base64-decoded part of the secret after ``whsec_``.
The signature header may hold several space-separated signatures (during a
secret rotation); one valid ``v1`` signature suffices. :func:`verify` is what
a receiver runs; the portal uses :func:`signature_headers` to send.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
SECRET_BYTES = 24
#: Receivers refuse a timestamp further than this from their clock (seconds).
DEFAULT_TOLERANCE = 300


class SignatureError(ValueError):
    """The delivery is not authentic: missing header, stale timestamp or bad signature."""


def new_secret() -> str:
    """A fresh endpoint secret, ``whsec_`` + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a secret (``whsec_`` prefix optional)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("the webhook secret is not base64") from None
    if not key:
        raise SignatureError("the webhook secret is empty")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 signature>`` of one delivery."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    secret: str, message_id: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers for sending ``body`` now."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(secret, message_id, stamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> str:
    """Check a received delivery; return its message id, or raise :class:`SignatureError`.

    ``headers`` may use any letter case; ``body`` must be the raw bytes as
    received (a re-serialised JSON body would not match).
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    message_id = lowered.get("webhook-id", "")
    stamp = lowered.get("webhook-timestamp", "")
    signatures = lowered.get("webhook-signature", "")
    if not (message_id and stamp and signatures):
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not stamp.isdigit() or len(stamp) > 12:
        raise SignatureError("webhook-timestamp is not a Unix time in seconds")
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance:
        raise SignatureError("webhook-timestamp is outside the tolerance (replayed or skewed)")
    expected = sign(secret, message_id, int(stamp), body).encode()
    for candidate in signatures.split():
        if candidate.startswith("v1,") and hmac.compare_digest(candidate.encode(), expected):
            return message_id
    raise SignatureError("no valid v1 signature")
