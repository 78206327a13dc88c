"""TLS is still verified although the trust anchors load on first use (client/_tls.py).

A real HTTPS server on loopback with a certificate of its own: the client
refuses it while that certificate is not trusted, accepts it once
``SSL_CERT_FILE`` names it (httpx's own rule), and never loads the trust
anchors for a plain-HTTP portal.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from monespace_cli.client import PortalClient, PortalUnavailable
from monespace_cli.client._tls import client_tls_context


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def https_portal(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = _certificate(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()


def test_an_untrusted_certificate_is_refused(
    https_portal: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _cert = https_portal
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with PortalClient(url) as client, pytest.raises(PortalUnavailable):
        client.healthz()


def test_a_certificate_named_by_ssl_cert_file_is_trusted(
    https_portal: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = https_portal
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with PortalClient(url) as client:
        assert client.healthz() == {"status": "ok"}


def test_the_context_is_a_verifying_one_and_loads_nothing_until_tls() -> None:
    context = client_tls_context()
    default = ssl.create_default_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.options == default.options and context.verify_flags == default.verify_flags
    assert context.cert_store_stats()["x509_ca"] == 0  # nothing loaded yet
    context.load_trust()
    assert context.cert_store_stats()["x509_ca"] > 0
