"""Fixtures for the reader-library tests: sandbox PKI, card images, virtual cards.

The in-process virtual card (eid.virtual, by the vcard helper) is the card
under test for unit tests; tests through the real pcscd + vpcd reuse the
fixtures of tests/pcsc_fixtures.py (``pcscd``, ``vpcd_card``), registered
by tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

APPLETS = ("1.7", "1.8")
NRN = "85073003328"


@pytest.fixture(scope="session")
def sandbox_pki(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from eid.pki import SandboxPKI

    return SandboxPKI.open(tmp_path_factory.mktemp("eid-pki"))


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
