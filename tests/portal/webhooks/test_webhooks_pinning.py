"""Webhook delivery connects to the address it checked (no DNS rebinding).

The dispatcher used to check what the receiver's name resolves to, then let
httpx connect *by name*, resolving it again: a DNS server answering a public
address first and 127.0.0.1 second reached the portal's own loopback. The
resolver here is the system one (``socket.getaddrinfo``, what asyncio and
httpx both call) answering exactly that way.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from portal.webhooks.dispatcher import Job, send

from .receiver import Receiver

PUBLIC = "93.184.215.14"  # a global address, never connected to here
NAME = "hooks.rebinding.example"


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The system resolver answers NAME with PUBLIC once, then with 127.0.0.1."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != NAME:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = PUBLIC if len(asked) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def _job(url: str) -> Job:
    lease = dt.datetime.now(dt.UTC)
    return Job(1, "msg_1", url, "whsec_" + "A" * 32, '{"type": "test"}', lease)


def test_the_connection_goes_to_the_checked_address(rebinding_dns: list[str]) -> None:
    seen: list[httpx.Request] = []

    def transport(request: httpx.Request) -> httpx.Response:
        seen.append(request)  # records where the dispatcher aims; nothing leaves the machine
        return httpx.Response(204)

    receiver = Receiver().start()
    port = receiver.server.server_address[1]
    try:

        async def deliver() -> Any:
            async with httpx.AsyncClient(transport=httpx.MockTransport(transport)) as client:
                return await send(client, _job(f"https://{NAME}:{port}/hook"), sandbox=False)

        outcome = asyncio.run(deliver())
    finally:
        receiver.stop()
    assert rebinding_dns == [NAME], "the name was resolved more than once"
    assert outcome.delivered, outcome
    (request,) = seen
    assert request.url.host == PUBLIC
    assert request.headers["host"] == f"{NAME}:{port}"
    assert request.extensions["sni_hostname"] == NAME
    assert receiver.requests == []


def test_a_name_with_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, 443)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::ffff:127.0.0.1", 443, 0, 0)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    async def deliver() -> Any:
        async with httpx.AsyncClient() as client:
            return await send(client, _job(f"https://{NAME}/hook"), sandbox=False)

    outcome = asyncio.run(deliver())
    assert not outcome.delivered
    assert "non-public address ::ffff:127.0.0.1" in (outcome.error or "")


# --- end to end with real sockets (sandbox mode: loopback receivers allowed) ----


def test_a_pinned_delivery_reaches_a_real_receiver_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: real("127.0.0.1" if host == NAME else host, port, *a, **k),
    )
    receiver = Receiver().start()
    port = receiver.server.server_address[1]
    try:

        async def deliver() -> Any:
            async with httpx.AsyncClient() as client:
                return await send(client, _job(f"http://{NAME}:{port}/hook"), sandbox=True)

        outcome = asyncio.run(deliver())
    finally:
        receiver.stop()
    assert outcome.status_code is not None, outcome
    (request,) = receiver.requests
    assert request.headers["host"] == f"{NAME}:{port}"


def _certificate(directory: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA, and a server certificate for ``name`` it signed (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def build(subject: str, key: Any, issuer: Any, issuer_key: Any, ca: bool) -> Any:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
            )
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = build("test CA", ca_key, ca_name, ca_key, True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build(name, key, ca.subject, ca_key, False)
    pem = serialization.Encoding.PEM
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """An HTTPS receiver on 127.0.0.1 whose certificate names NAME only."""
    ca, cert, key = _certificate(tmp_path, NAME)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], ca
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name, delivered", [(NAME, True), ("other.rebinding.example", False)])
def test_tls_checks_the_certificate_against_the_name_not_the_address(
    tls_receiver: tuple[int, Path], monkeypatch: pytest.MonkeyPatch, name: str, delivered: bool
) -> None:
    port, ca = tls_receiver
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, p, *a, **k: real(
            "127.0.0.1" if host.endswith(".example") else host, p, *a, **k
        ),
    )
    verify = ssl.create_default_context(cafile=str(ca))

    async def deliver() -> Any:
        async with httpx.AsyncClient(verify=verify) as client:
            return await send(client, _job(f"https://{name}:{port}/hook"), sandbox=True)

    outcome = asyncio.run(deliver())
    assert outcome.delivered is delivered, outcome
    if not delivered:
        assert "certificate" in (outcome.error or "").lower()
