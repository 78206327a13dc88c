"""eID login: challenges and the checks that turn a card signature into a session.

The protocol (docs/api.md "Authentication"): the portal hands out a
single-use nonce bound to its origin; the card signs
``eid.login.login_message(origin, challenge_id, nonce)`` with its
authentication key; the portal checks, in this order, the challenge (known,
fresh, unused — and marks it used at once, so a failed attempt cannot be
retried with the same nonce), the certificate chain to its trust anchors
(validity dates, CA constraints, key usage digitalSignature), revocation
(OCSP, then a verified and current CRL: portal/auth/revocation.py; no answer
means no login), the signature, and finally that the certificate's
serialNumber (the NRN) is a person of the register. Every failure is a 401
with a precise reason; none of them leaks anything secret. The session keeps
the certificate and its issuer so its revocation is checked again while it
lives (portal/auth/deps.py).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from eid.login import ES384, LOGIN_ALGORITHMS, RS256, login_message
from eid.pki.status import StatusUnavailable
from eid.pki.verify import VerificationError, revoked_by, verify_chain
from portal.auth.revocation import chain_pem, describe
from portal.auth.tokens import new_token, token_hash
from portal.auth.trust import TrustMaterial
from portal.models import AuthSession, Challenge, Person, utcnow
from portal.problems import Problem

MAX_CHAIN = 5


class LoginFailed(Problem):
    """401 ``authentication-failed`` with the reason."""

    def __init__(self, detail: str) -> None:
        super().__init__("authentication-failed", detail)


#: Spent or expired challenges are deleted after this long (they prove nothing).
CHALLENGE_RETENTION = dt.timedelta(hours=1)


def create_challenge(db: Session, origin: str, ttl_seconds: int) -> Challenge:
    """A fresh challenge (32 random bytes of nonce) for ``origin``; old ones are purged."""
    now = utcnow()
    db.execute(delete(Challenge).where(Challenge.expires_at < now - CHALLENGE_RETENTION))
    challenge = Challenge(
        id=f"ch_{secrets.token_urlsafe(16)}",
        nonce=secrets.token_urlsafe(32),
        origin=origin,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=ttl_seconds),
    )
    db.add(challenge)
    return challenge


def consume_challenge(db: Session, challenge_id: str) -> Challenge:
    """Mark the challenge used (atomically) and return it; 401 if it cannot be used."""
    now = utcnow()
    challenge = db.get(Challenge, challenge_id)
    if challenge is None:
        raise LoginFailed("unknown challenge: ask for a new one")
    if challenge.used_at is not None:
        raise LoginFailed("this challenge was already used: ask for a new one")
    if challenge.expires_at <= now:
        raise LoginFailed("the challenge has expired: ask for a new one and sign within 2 minutes")
    claimed = db.execute(
        update(Challenge)
        .where(Challenge.id == challenge_id, Challenge.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(claimed, "rowcount", 1) != 1:
        raise LoginFailed("this challenge was already used: ask for a new one")
    return challenge


def decode_chain(encoded: list[str]) -> list[x509.Certificate]:
    """DER certificates from base64; 401 with a clear reason if unreadable."""
    if not encoded:
        raise LoginFailed("no certificate was sent")
    if len(encoded) > MAX_CHAIN:
        raise LoginFailed(f"at most {MAX_CHAIN} certificates may be sent")
    certs = []
    for index, item in enumerate(encoded):
        try:
            certs.append(x509.load_der_x509_certificate(base64.b64decode(item, validate=True)))
        except (ValueError, binascii.Error):
            raise LoginFailed(f"certificate {index} is not a base64 DER certificate") from None
    return certs


def check_certificate(
    chain: list[x509.Certificate], trust: TrustMaterial, at: dt.datetime
) -> list[x509.Certificate]:
    """The verified chain leaf → root: trusted, valid now, not revoked."""
    leaf = chain[0]
    if leaf.not_valid_after_utc < at:
        raise LoginFailed("the certificate has expired")
    if leaf.not_valid_before_utc > at:
        raise LoginFailed("the certificate is not valid yet")
    _check_key_usage(leaf)
    try:
        verified = verify_chain(leaf, [*chain[1:], *trust.intermediates], trust.anchors, at=at)
    except VerificationError as exc:
        raise LoginFailed(f"the certificate chain is not trusted: {exc}") from None
    for cert in verified[1:-1]:
        if revoked_by(cert, trust.crls) is not None:
            raise LoginFailed("the certificate's issuing CA has been revoked")
    if len(verified) < 2:
        raise LoginFailed("a trust anchor itself cannot log in")
    check_not_revoked(leaf, verified[1], trust)
    return verified


def check_not_revoked(
    leaf: x509.Certificate, issuer: x509.Certificate, trust: TrustMaterial
) -> None:
    """401 unless OCSP (or a verified, current CRL) says the certificate is good."""
    try:
        status = trust.revocation.status(leaf, issuer)
    except StatusUnavailable as exc:
        raise LoginFailed(
            f"the certificate's revocation status could not be checked ({exc}); try again later"
        ) from None
    if status.revoked:
        raise LoginFailed(
            f"the certificate has been {describe(status)}: if the card was lost or stolen, "
            "the commune issues a new one"
        )
    if status.status != "good":
        raise LoginFailed("the OCSP responder does not know this certificate")


def _check_key_usage(leaf: x509.Certificate) -> None:
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise LoginFailed("the certificate has no key usage: not an authentication one") from None
    if not usage.digital_signature:
        raise LoginFailed("the certificate is not an authentication certificate")


def check_signature(
    leaf: x509.Certificate, algorithm: str, signature_b64: str, message: bytes
) -> None:
    """Verify RS256 / ES384 over ``message``; 401 on any mismatch."""
    if algorithm not in LOGIN_ALGORITHMS:
        raise LoginFailed(f"unsupported algorithm {algorithm!r}: use RS256 or ES384")
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (ValueError, binascii.Error):
        raise LoginFailed("the signature is not base64") from None
    key = leaf.public_key()
    try:
        if algorithm == RS256 and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        elif algorithm == ES384 and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(hashes.SHA384()))
        else:
            raise LoginFailed(f"algorithm {algorithm} does not match the certificate's key")
    except InvalidSignature:
        raise LoginFailed(
            "the signature is invalid (signed for another challenge or another portal?)"
        ) from None


def nrn_of(leaf: x509.Certificate) -> str:
    """The NRN in the subject's serialNumber."""
    values = leaf.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if not values:
        raise LoginFailed("the certificate carries no national register number")
    return str(values[0].value)


def open_session(
    db: Session, person: Person, chain: list[x509.Certificate], ttl: int
) -> tuple[str, AuthSession]:
    """A new session for ``person``; returns the clear token (shown once) and the row."""
    leaf, issuer = chain[0], chain[1]
    token = new_token()
    now = utcnow()
    row = AuthSession(
        token_sha256=token_hash(token),
        person_nrn=person.nrn,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=ttl),
        certificate_serial=format(leaf.serial_number, "x"),
        certificate_chain=chain_pem(leaf, issuer),
    )
    db.add(row)
    return token, row


def log_in(
    db: Session,
    trust: TrustMaterial,
    challenge_id: str,
    certificates: list[str],
    signature: str,
    algorithm: str,
    session_ttl: int,
) -> tuple[str, AuthSession, Person]:
    """Run every check and open a session. The challenge is spent even on failure."""
    challenge = consume_challenge(db, challenge_id)
    db.commit()  # a spent challenge stays spent, whatever happens next
    now = utcnow()
    chain = decode_chain(certificates)
    verified = check_certificate(chain, trust, now)
    leaf = verified[0]
    message = login_message(challenge.origin, challenge.id, challenge.nonce)
    check_signature(leaf, algorithm, signature, message)
    nrn = nrn_of(leaf)
    person = db.scalar(select(Person).where(Person.nrn == nrn))
    if person is None:
        raise LoginFailed("this card's holder is not known to the portal")
    token, row = open_session(db, person, verified, session_ttl)
    return token, row, person
