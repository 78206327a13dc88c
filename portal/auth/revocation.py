"""Is the certificate behind a login, or a live session, revoked? OCSP, then CRL, cached.

One rule for new logins and for every request of a live session (and every
delivery of an event stream, which authenticates through the same function):

1. A verified status younger than ``revocation_recheck_seconds`` (and still
   within the answer's own ``nextUpdate``) is reused from an in-process
   cache, so a session's check costs a dictionary lookup almost always.
2. Otherwise the OCSP responder named in the certificate is asked and its
   answer verified (``eid.pki.status``); in sandbox mode the portal is that
   responder and answers itself in-process, exactly as over HTTP.
3. If OCSP gives no trustworthy answer, the issuer's CRL is used, but only
   if its signature verifies and it is not past ``nextUpdate`` by more than
   ``crl_grace_seconds``.
4. If neither answers, the certificate is *not* assumed good: the login is
   refused, and a live session is ended, with the reason.

A revoked answer is final and cached for good. So a revoked certificate's
sessions end at most ``revocation_recheck_seconds`` after the revocation.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from eid.pki.status import (
    CertStatus,
    Fetch,
    StatusUnavailable,
    check_crl,
    check_ocsp,
    http_fetch,
)

#: How many certificate statuses one process remembers.
CACHE_SIZE = 10_000


@dataclass(frozen=True)
class _Entry:
    status: CertStatus
    fresh_until: float  # time.monotonic()


class RevocationChecker:
    """Certificate status with a cache; one per trust configuration and process."""

    def __init__(
        self,
        *,
        fetch: Fetch = http_fetch,
        crls: Callable[[], list[x509.CertificateRevocationList]] = list,
        recheck: float = 120,
        grace: float = 0,
        timeout: float = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fetch = fetch
        self.crls = crls
        self.recheck = recheck
        self.grace = dt.timedelta(seconds=grace)
        self.timeout = timeout
        self.clock = clock
        self._cache: dict[tuple[bytes, int], _Entry] = {}
        self._lock = threading.Lock()
        #: Network or CRL look-ups made (for benchmarks and tests).
        self.lookups = 0

    def status(self, cert: x509.Certificate, issuer: x509.Certificate) -> CertStatus:
        """The verified status of ``cert``; StatusUnavailable says why there is none."""
        key = (issuer.subject.public_bytes(), cert.serial_number)
        now = self.clock()
        with self._lock:
            entry = self._cache.get(key)
        if entry is not None and (entry.status.revoked or now < entry.fresh_until):
            return entry.status
        status = self._look_up(cert, issuer)
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = _Entry(status, now + self._fresh_for(status))
        return status

    def forget(self) -> None:
        """Drop every cached status (tests; a configuration change)."""
        with self._lock:
            self._cache.clear()

    def _look_up(self, cert: x509.Certificate, issuer: x509.Certificate) -> CertStatus:
        self.lookups += 1
        try:
            return check_ocsp(cert, issuer, fetch=self.fetch, timeout=self.timeout)
        except StatusUnavailable as ocsp_problem:
            try:
                return check_crl(cert, issuer, self.crls(), grace=self.grace)
            except StatusUnavailable as crl_problem:
                raise StatusUnavailable(f"OCSP: {ocsp_problem}; CRL: {crl_problem}") from None

    def _fresh_for(self, status: CertStatus) -> float:
        """Seconds to reuse ``status``: the recheck period, never past its nextUpdate."""
        if status.next_update is None:
            return self.recheck
        left = (status.next_update - dt.datetime.now(dt.UTC)).total_seconds()
        return max(0.0, min(self.recheck, left))


def describe(status: CertStatus) -> str:
    """ "revoked on 2026-12-07 18:20 UTC (OCSP)" for refusals."""
    when = f" on {status.revoked_at:%Y-%m-%d %H:%M} UTC" if status.revoked_at else ""
    return f"revoked{when} ({status.source.upper()})"


# -- what a session keeps ----------------------------------------------------


def chain_pem(leaf: x509.Certificate, issuer: x509.Certificate) -> str:
    """What a session stores to check its certificate later."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, issuer)).decode()


@functools.lru_cache(maxsize=4096)
def load_chain(text: str) -> tuple[x509.Certificate, x509.Certificate] | None:
    """The (leaf, issuer) stored by :func:`chain_pem`; None if absent or unreadable.

    Memoised: every request of a session parses the same text.
    """
    try:
        certs = x509.load_pem_x509_certificates(text.encode())
    except ValueError:
        return None
    return (certs[0], certs[1]) if len(certs) == 2 else None
