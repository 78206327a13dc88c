"""The message an eID card signs to log in to a portal.

Both the client (which asks the card to sign) and the portal (which verifies)
build it here, so the two can never drift apart. The message binds the
portal's origin and the single-use challenge: a signature made for one portal
is useless on another, and a signature for one challenge cannot be replayed.
"""

from __future__ import annotations

LOGIN_MESSAGE_PREFIX = "monespace-eid-login/v1"

#: Signature algorithms accepted at login, by applet generation.
RS256 = "RS256"  # RSA PKCS#1 v1.5 with SHA-256 (applet 1.7)
ES384 = "ES384"  # ECDSA P-384 with SHA-384, DER-encoded (applet 1.8)
LOGIN_ALGORITHMS = (RS256, ES384)


def login_message(origin: str, challenge_id: str, nonce: str) -> bytes:
    """Return the exact bytes signed at login (UTF-8, no trailing newline)."""
    for name, value in (("origin", origin), ("challenge_id", challenge_id), ("nonce", nonce)):
        if not value or "\n" in value:
            raise ValueError(f"{name} must be a non-empty single line")
    return f"{LOGIN_MESSAGE_PREFIX}\n{origin}\n{challenge_id}\n{nonce}".encode()
