"""Session tokens: random, shown once, stored only as their SHA-256.

Why hash: a leaked database (or backup) then holds no usable token. SHA-256
without salt is enough because the token is 32 random bytes, not a password.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh bearer token (32 random bytes, base64url)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The hex SHA-256 under which a token is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()
