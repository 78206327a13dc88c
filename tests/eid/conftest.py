"""Fixtures for the reader-library tests: sandbox PKI, card images, virtual cards.

The in-process virtual card (eid.virtual, by the vcard helper) is the card
under test for unit tests; tests through the real pcscd + vpcd reuse the
fixtures of tests/pcsc_fixtures.py (``pcscd``, ``vpcd_card``), registered
by tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

APPLETS = ("1.7", "1.8")
NRN = "85073003328"


@pytest.fixture(scope="session")
def sandbox_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The PKI of the reader tests, with its OCSP responder on a loopback port.

    Certificates name that responder in their AIA, so ``eid certs`` and the
    doctor ask a real HTTP responder, as with a real card.
    """
    from eid.pki import SandboxPKI

    pki = SandboxPKI.open(tmp_path_factory.mktemp("eid-pki"))
    with ocsp_responder(pki) as url:
        pki.set_ocsp_url(url)
        yield pki


@contextlib.contextmanager
def ocsp_responder(pki: Any, answer: Callable[[bytes], bytes] | None = None) -> Iterator[str]:
    """Serve ``pki``'s OCSP answers (or ``answer(request)``) over HTTP on loopback."""
    respond = answer or pki.ocsp_response

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            data = respond(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/ocsp-response")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ocsp"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def cardholder() -> Any:
    from eid.virtual import CardholderData

    return CardholderData(
        nrn=NRN,
        surname="Dupont",
        given_names="Marie Hélène",
        third_name_initial="J",
        birth_date=dt.date(1985, 7, 30),
        sex="F",
        street_and_number="Rue de l'Étuve 12",
        zip_code="4000",
        municipality="Liège",
    )


@pytest.fixture(scope="session")
def images(sandbox_pki: Any, cardholder: Any) -> dict[str, Any]:
    """One personalised card image per applet (built once: RSA keys are slow)."""
    from eid.virtual import build_card

    return {applet: build_card(cardholder, sandbox_pki, applet=applet) for applet in APPLETS}


@pytest.fixture(params=APPLETS)
def applet(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def image(images: dict[str, Any], applet: str) -> Any:
    return images[applet]


@pytest.fixture
def virtual_card(image: Any) -> Any:
    """A fresh in-process card (its own PIN counter) for each test."""
    from eid.virtual import VirtualCard

    return VirtualCard(image)


@pytest.fixture
def open_virtual() -> Callable[[Any], Any]:
    """open_virtual(VirtualCard) → an EidCard on its in-process connection."""
    import eid

    return lambda card: eid.open_card(connection=card.connection())
