"""The TLS context of the clients: httpx's own trust settings, loaded on first TLS use.

``httpx.Client()`` builds its TLS context at once, and loading the CA bundle
(certifi's ~150 certificates) is the single most expensive step of a short
command — even a command talking to ``http://127.0.0.1`` pays it. This
context is the one httpx would build (``ssl.create_default_context`` with
``SSL_CERT_FILE``, ``SSL_CERT_DIR`` or certifi, as ``httpx.create_ssl_context``
decides), handed to httpx through its documented ``verify=`` parameter; it
only loads the certificates when the first TLS connection is opened.
Verification itself is unchanged: ``CERT_REQUIRED`` and host-name checking
are set from the start, so a connection made before the load (there is
none: both wrapping methods load first) could not pass unverified either.
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
from collections.abc import Mapping
from typing import Any


class LazyTrustContext(ssl.SSLContext):
    """A client ``SSLContext`` whose trust anchors load when the first socket is wrapped."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        # SSLContext is made by __new__(cls, protocol); __init__ only adds our state.
        self._environ = environ
        self._trust_loaded = False
        self._trust_lock = threading.Lock()

    def __new__(cls, environ: Mapping[str, str] | None = None) -> LazyTrustContext:
        return super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname

    def load_trust(self) -> None:
        """Load the CA certificates now (once; thread-safe: the TUI's workers share it)."""
        if self._trust_loaded:
            return
        with self._trust_lock:
            if self._trust_loaded:
                return
            environ = os.environ if self._environ is None else self._environ
            if environ.get("SSL_CERT_FILE"):
                self.load_verify_locations(cafile=environ["SSL_CERT_FILE"])
            elif environ.get("SSL_CERT_DIR"):
                self.load_verify_locations(capath=environ["SSL_CERT_DIR"])
            else:
                import certifi

                self.load_verify_locations(cafile=certifi.where())
            self._trust_loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> Any:
        self.load_trust()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> Any:
        self.load_trust()
        return super().wrap_bio(*args, **kwargs)


def client_tls_context(environ: Mapping[str, str] | None = None) -> LazyTrustContext:
    """What ``ssl.create_default_context`` gives a client, trust anchors deferred."""
    context = LazyTrustContext(environ)
    if sys.version_info >= (3, 13):  # create_default_context's stricter checks there
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:
        context.keylog_filename = keylog
    return context
